CREATE TABLE "activity" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"project_id" text NOT NULL,
	"connection_id" text,
	"kind" text NOT NULL,
	"level" text NOT NULL,
	"message" text NOT NULL,
	"details" jsonb NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "activity" ADD CONSTRAINT "activity_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "activity_seq" ON "activity" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "activity_project" ON "activity" USING btree ("project_id","seq");--> statement-breakpoint
CREATE INDEX "activity_connection" ON "activity" USING btree ("connection_id","seq");--> statement-breakpoint
CREATE INDEX "activity_at" ON "activity" USING btree ("at");
CREATE SEQUENCE "public"."sync_record_changes" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "installations" (
	"id" text PRIMARY KEY NOT NULL,
	"project_id" text NOT NULL,
	"integration_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "integrations" (
	"id" text PRIMARY KEY NOT NULL,
	"project_id" text NOT NULL,
	"name" text NOT NULL,
	"manifest_sealed" text NOT NULL,
	"manifest" jsonb NOT NULL,
	"webhook_secrets_sealed" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_records" (
	"project_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"object" text NOT NULL,
	"record_id" text NOT NULL,
	"data" jsonb,
	"modstamp" text,
	"deleted_at" text,
	"change" bigint DEFAULT nextval('sync_record_changes') NOT NULL,
	CONSTRAINT "sync_records_connection_id_object_record_id_pk" PRIMARY KEY("connection_id","object","record_id")
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"project_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"installation_id" text NOT NULL,
	"object" text NOT NULL,
	"trigger" text NOT NULL,
	"status" text NOT NULL,
	"mode" text,
	"window_from" text,
	"window_to" text,
	"records_read" integer DEFAULT 0 NOT NULL,
	"upserted" integer DEFAULT 0 NOT NULL,
	"deleted" integer DEFAULT 0 NOT NULL,
	"api_calls" integer DEFAULT 0 NOT NULL,
	"drift" jsonb,
	"error" jsonb,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sync_states" (
	"id" text PRIMARY KEY NOT NULL,
	"project_id" text NOT NULL,
	"installation_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"object" text NOT NULL,
	"cursor_field" text,
	"cursor_ts" text,
	"cursor_id" text,
	"backfill_done" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'idle' NOT NULL,
	"status_reason" text,
	"resume_at" timestamp with time zone,
	"fields" jsonb,
	"formula_refreshed_at" timestamp with time zone,
	"last_run_id" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "installations" ADD CONSTRAINT "installations_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "installations" ADD CONSTRAINT "installations_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "installations" ADD CONSTRAINT "installations_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integrations" ADD CONSTRAINT "integrations_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_records" ADD CONSTRAINT "sync_records_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_states" ADD CONSTRAINT "sync_states_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "installations_connection_integration" ON "installations" USING btree ("connection_id","integration_id");--> statement-breakpoint
CREATE INDEX "installations_integration" ON "installations" USING btree ("integration_id");--> statement-breakpoint
CREATE UNIQUE INDEX "integrations_project_name" ON "integrations" USING btree ("project_id","name");--> statement-breakpoint
CREATE INDEX "sync_records_changes" ON "sync_records" USING btree ("connection_id","object","change");--> statement-breakpoint
CREATE INDEX "sync_runs_connection" ON "sync_runs" USING btree ("connection_id","started_at");--> statement-breakpoint
CREATE INDEX "sync_runs_installation" ON "sync_runs" USING btree ("installation_id","object","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sync_states_installation_object" ON "sync_states" USING btree ("installation_id","object");--> statement-breakpoint
CREATE INDEX "sync_states_connection" ON "sync_states" USING btree ("connection_id");
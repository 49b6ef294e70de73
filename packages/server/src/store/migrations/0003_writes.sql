CREATE TABLE "write_records" (
	"write_id" text NOT NULL,
	"idx" integer NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"data" jsonb NOT NULL,
	"sf_id" text,
	"created" boolean,
	"errors" jsonb,
	"attempts" integer DEFAULT 0 NOT NULL,
	"bulk_job_id" text,
	CONSTRAINT "write_records_write_id_idx_pk" PRIMARY KEY("write_id","idx")
);
--> statement-breakpoint
CREATE TABLE "writes" (
	"id" text PRIMARY KEY NOT NULL,
	"project_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"object" text NOT NULL,
	"operation" text NOT NULL,
	"external_id_field" text,
	"all_or_none" boolean DEFAULT false NOT NULL,
	"status" text NOT NULL,
	"path" text,
	"total" integer DEFAULT 0 NOT NULL,
	"succeeded" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"unknown" integer DEFAULT 0 NOT NULL,
	"api_calls" integer DEFAULT 0 NOT NULL,
	"idempotency_key" text,
	"request_hash" text,
	"retry_of" text,
	"options" jsonb,
	"error" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "write_records" ADD CONSTRAINT "write_records_write_id_writes_id_fk" FOREIGN KEY ("write_id") REFERENCES "public"."writes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "writes" ADD CONSTRAINT "writes_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "write_records_status" ON "write_records" USING btree ("write_id","status","idx");--> statement-breakpoint
CREATE INDEX "writes_connection" ON "writes" USING btree ("connection_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "writes_idempotency" ON "writes" USING btree ("project_id","idempotency_key") WHERE "writes"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX "writes_status" ON "writes" USING btree ("status");
CREATE TABLE "subscription_members" (
	"id" text PRIMARY KEY NOT NULL,
	"installation_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"selected_entity" text NOT NULL,
	"member_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"id" text PRIMARY KEY NOT NULL,
	"project_id" text NOT NULL,
	"installation_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"object" text NOT NULL,
	"channel" text NOT NULL,
	"state" text DEFAULT 'starting' NOT NULL,
	"state_reason" text,
	"paused_check" jsonb,
	"replay_id" text,
	"last_commit_at" timestamp with time zone,
	"last_keepalive_at" timestamp with time zone,
	"events_delivered" bigint DEFAULT 0 NOT NULL,
	"recoveries" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "subscription_members_installation" ON "subscription_members" USING btree ("installation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "subscriptions_installation_object" ON "subscriptions" USING btree ("installation_id","object");--> statement-breakpoint
CREATE INDEX "subscriptions_connection" ON "subscriptions" USING btree ("connection_id");
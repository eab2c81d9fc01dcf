CREATE TABLE "alerts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"node_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"source_id" text DEFAULT '' NOT NULL,
	"message" text NOT NULL,
	"detail" jsonb NOT NULL,
	"raised_at" timestamp (3) with time zone NOT NULL,
	"resolved_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "enrollment_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"token_hash" text NOT NULL,
	"label" text DEFAULT '' NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"used_at" timestamp (3) with time zone,
	"node_id" uuid,
	"revoked_at" timestamp (3) with time zone,
	CONSTRAINT "enrollment_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "node_reports" (
	"node_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"at_ns" bigint NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"status" text NOT NULL,
	"offset_ns" bigint NOT NULL,
	"bound_ns" bigint NOT NULL,
	"frequency_ppm" double precision NOT NULL,
	"delay_ns" bigint,
	"jitter_ns" bigint,
	"cpu_percent" double precision NOT NULL,
	"rss_bytes" bigint NOT NULL,
	"agent_version" text NOT NULL,
	CONSTRAINT "node_reports_node_id_seq_pk" PRIMARY KEY("node_id","seq")
);
--> statement-breakpoint
CREATE TABLE "node_source_samples" (
	"node_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"source_id" text NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"url" text NOT NULL,
	"protocol" text NOT NULL,
	"state" text NOT NULL,
	"reach" text NOT NULL,
	"last_offset_ns" bigint,
	"delay_ns" bigint,
	"jitter_ns" bigint,
	"stratum" integer,
	"poll" integer,
	"falsetickers" integer NOT NULL,
	"score" double precision,
	CONSTRAINT "node_source_samples_node_id_seq_source_id_pk" PRIMARY KEY("node_id","seq","source_id")
);
--> statement-breakpoint
CREATE TABLE "nodes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"hostname" text NOT NULL,
	"agent_version" text NOT NULL,
	"policy_id" text,
	"enrolled_at" timestamp (3) with time zone NOT NULL,
	"last_report_at" timestamp (3) with time zone,
	"last_seq" bigint,
	"state" text DEFAULT 'unknown' NOT NULL,
	"sync_status" text,
	"offset_ns" bigint,
	"bound_ns" bigint,
	"frequency_ppm" double precision,
	"cpu_percent" double precision,
	"rss_bytes" bigint,
	"dropped_reports" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oauth_clients" (
	"client_id" text PRIMARY KEY NOT NULL,
	"secret_hash" text NOT NULL,
	"node_id" uuid NOT NULL,
	"scopes" text[] NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"revoked_at" timestamp (3) with time zone,
	"last_used_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "policies" (
	"id" text PRIMARY KEY NOT NULL,
	"tolerance_ns" bigint NOT NULL,
	"silent_after_s" integer NOT NULL,
	"falseticker_alerts" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report_batches" (
	"node_id" uuid NOT NULL,
	"idempotency_key" text NOT NULL,
	"body_hash" text NOT NULL,
	"accepted" integer NOT NULL,
	"duplicates" integer NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "report_batches_node_id_idempotency_key_pk" PRIMARY KEY("node_id","idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "report_rollups" (
	"node_id" uuid NOT NULL,
	"resolution" text NOT NULL,
	"bucket" timestamp (3) with time zone NOT NULL,
	"n" integer NOT NULL,
	"offset_sum" double precision NOT NULL,
	"offset_min" bigint NOT NULL,
	"offset_max" bigint NOT NULL,
	"bound_max" bigint NOT NULL,
	"bound_sum" double precision NOT NULL,
	"delay_sum" double precision NOT NULL,
	"delay_n" integer NOT NULL,
	"jitter_sum" double precision NOT NULL,
	"jitter_n" integer NOT NULL,
	"cpu_sum" double precision NOT NULL,
	"rss_max" bigint NOT NULL,
	CONSTRAINT "report_rollups_node_id_resolution_bucket_pk" PRIMARY KEY("node_id","resolution","bucket")
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "must_change_password" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "disabled" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "nodes" ADD CONSTRAINT "nodes_policy_id_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_clients" ADD CONSTRAINT "oauth_clients_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_open_idx" ON "alerts" USING btree ("node_id","kind","source_id") WHERE resolved_at IS NULL;--> statement-breakpoint
CREATE INDEX "alerts_raised_idx" ON "alerts" USING btree ("raised_at");--> statement-breakpoint
CREATE INDEX "node_reports_node_at_idx" ON "node_reports" USING btree ("node_id","at_ns");--> statement-breakpoint
CREATE INDEX "node_reports_at_idx" ON "node_reports" USING btree ("at");--> statement-breakpoint
CREATE INDEX "node_source_samples_at_idx" ON "node_source_samples" USING btree ("at");--> statement-breakpoint
CREATE INDEX "nodes_hostname_idx" ON "nodes" USING btree ("hostname");--> statement-breakpoint
CREATE INDEX "report_rollups_bucket_idx" ON "report_rollups" USING btree ("bucket");
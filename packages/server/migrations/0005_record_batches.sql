ALTER TABLE "ledger_entries" ADD COLUMN "records" text;--> statement-breakpoint
-- Record batches compress about 50:1 (repetitive JSON); lz4 costs a fraction of pglz's CPU.
-- PostgreSQL builds without lz4 keep the default (pglz).
DO $$
BEGIN
  ALTER TABLE "ledger_entries" ALTER COLUMN "records" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  NULL;
END $$;

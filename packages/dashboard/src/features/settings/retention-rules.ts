/**
 * The server's retention rules (packages/server/src/fleet/retention.ts), checked before
 * sending: whole days from 1 to 36 500, raw ≤ 1-minute ≤ 1-hour rollups.
 */
import { z } from "zod";

const days = z.coerce
  .number<string>()
  .int("Whole days")
  .min(1, "At least 1 day")
  .max(36_500, "At most 36 500 days");

export const retentionSchema = z
  .object({
    rawDays: days,
    minuteRollupDays: days,
    hourRollupDays: days,
    resolvedAlertDays: days,
    webhookDeliveryDays: days,
  })
  .refine((r) => r.minuteRollupDays >= r.rawDays, {
    path: ["minuteRollupDays"],
    message: "Keep 1-minute rollups at least as long as raw reports",
  })
  .refine((r) => r.hourRollupDays >= r.minuteRollupDays, {
    path: ["hourRollupDays"],
    message: "Keep 1-hour rollups at least as long as 1-minute rollups",
  });

export type RetentionInput = z.infer<typeof retentionSchema>;

/** The form's fields, in order, with their labels and what each keeps. */
export const RETENTION_FIELDS = [
  {
    name: "rawDays",
    data: "Raw reports",
    label: "Raw reports (days)",
    keeps: "Every report and its sources: history under 6 h, falseticker history",
  },
  {
    name: "minuteRollupDays",
    data: "1-minute rollups",
    label: "1-minute rollups (days)",
    keeps: "History ranges up to 7 days",
  },
  {
    name: "hourRollupDays",
    data: "1-hour rollups",
    label: "1-hour rollups (days)",
    keeps: "History ranges beyond 7 days",
  },
  {
    name: "resolvedAlertDays",
    data: "Resolved alerts",
    label: "Resolved alerts (days)",
    keeps: "Open alerts are always kept",
  },
  {
    name: "webhookDeliveryDays",
    data: "Webhook deliveries",
    label: "Webhook deliveries (days)",
    keeps: "Delivered or failed alert notifications",
  },
] as const satisfies readonly { name: keyof RetentionInput; data: string; label: string; keeps: string }[];

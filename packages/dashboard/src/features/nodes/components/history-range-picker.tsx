/** Range buttons (1 h … 30 d) and a custom from/to range in the viewer's zone. */
import { useEffect, useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import type { HistoryRange } from "../api/get-node-history";
import { PRESET_MS, type Preset, presetRange, rangeOf } from "../history-range";

interface Props {
  readonly preset: Preset | "custom";
  readonly presets: readonly Preset[];
  readonly onChange: (preset: Preset | "custom", range: HistoryRange) => void;
}

export function HistoryRangePicker({ preset, presets, onChange }: Props) {
  const id = useId();
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  // The first range is the initial preset, anchored at mount time.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, at mount
  useEffect(() => {
    if (preset !== "custom") onChange(preset, presetRange(preset, Date.now()));
  }, []);
  const pick = (value: string) => {
    if (value === "custom") return onChange("custom", rangeOf(Date.now() - PRESET_MS["24h"], Date.now()));
    const p = value as Preset;
    onChange(p, presetRange(p, Date.now()));
  };
  const applyCustom = () => {
    const f = Date.parse(from);
    const t = Date.parse(to);
    if (Number.isFinite(f) && Number.isFinite(t) && f < t) onChange("custom", rangeOf(f, t));
  };
  return (
    <div className="flex flex-wrap items-end gap-3">
      <fieldset className="inline-flex flex-wrap gap-1 rounded-md bg-muted p-1">
        <legend className="sr-only">Time range</legend>
        {[...presets, "custom" as const].map((p) => (
          <Button
            key={p}
            size="sm"
            variant={preset === p ? "default" : "ghost"}
            aria-pressed={preset === p}
            onClick={() => pick(p)}
          >
            {p === "custom" ? "Custom" : p}
          </Button>
        ))}
      </fieldset>
      {preset === "custom" && (
        <div className="flex flex-wrap items-end gap-2">
          <div className="space-y-1">
            <Label htmlFor={`${id}-from`}>From</Label>
            <Input
              id={`${id}-from`}
              type="datetime-local"
              value={from}
              onChange={(e) => setFrom(e.target.value)}
            />
          </div>
          <div className="space-y-1">
            <Label htmlFor={`${id}-to`}>To</Label>
            <Input id={`${id}-to`} type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
          </div>
          <Button variant="outline" onClick={applyCustom}>
            Show range
          </Button>
        </div>
      )}
    </div>
  );
}

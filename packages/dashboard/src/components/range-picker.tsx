/**
 * Range buttons (1 h … 30 d, whichever presets a view offers) and a custom from/to range in
 * the viewer's zone. The view turns a pick into its query range: a preset on its button, a
 * custom range on "Show range" once the two inputs make one (else it says so).
 */
import { useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { parseLocalRange, type RangeBounds, type RangePreset } from "@/lib/time-range";

interface Props<P extends RangePreset> {
  /** The range shown now: a preset, or `"custom"`. */
  readonly preset: P | "custom";
  /** The preset buttons, in order; "Custom" follows them. */
  readonly presets: readonly P[];
  /** A button was pressed: a preset, or "Custom" (which only opens the from/to inputs). */
  readonly onPreset: (preset: P | "custom") => void;
  /** "Show range" with a valid custom range. */
  readonly onCustom: (range: RangeBounds) => void;
}

export function RangePicker<P extends RangePreset>({ preset, presets, onPreset, onCustom }: Props<P>) {
  const id = useId();
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [invalid, setInvalid] = useState(false);
  const applyCustom = () => {
    const range = parseLocalRange(from, to);
    setInvalid(range === undefined);
    if (range !== undefined) onCustom(range);
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
            onClick={() => onPreset(p)}
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
          {invalid && <p className="text-sm text-destructive">Pick a start before the end.</p>}
        </div>
      )}
    </div>
  );
}

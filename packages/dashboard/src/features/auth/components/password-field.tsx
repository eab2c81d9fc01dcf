/** A labelled password input with its validation message wired to `aria-describedby`. */
import { forwardRef, type InputHTMLAttributes } from "react";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

interface Props extends InputHTMLAttributes<HTMLInputElement> {
  readonly id: string;
  readonly label: string;
  readonly error?: string | undefined;
}

export const PasswordField = forwardRef<HTMLInputElement, Props>(({ id, label, error, ...props }, ref) => (
  <div className="space-y-2">
    <Label htmlFor={id}>{label}</Label>
    <Input
      ref={ref}
      id={id}
      type="password"
      aria-invalid={error !== undefined}
      aria-describedby={error !== undefined ? `${id}-error` : undefined}
      {...props}
    />
    {error !== undefined && (
      <p id={`${id}-error`} className="text-sm text-destructive">
        {error}
      </p>
    )}
  </div>
));
PasswordField.displayName = "PasswordField";

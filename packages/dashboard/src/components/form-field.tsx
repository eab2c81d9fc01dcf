/** A labelled input with its validation message wired to `aria-describedby`. */
import { forwardRef, type InputHTMLAttributes } from "react";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { cn } from "@/lib/utils";

export interface FormFieldProps extends InputHTMLAttributes<HTMLInputElement> {
  readonly id: string;
  readonly label: string;
  /** The validation message; the input is marked invalid while there is one. */
  readonly error?: string | undefined;
  /** Classes of the block around label, input and message (`className` goes to the input). */
  readonly fieldClassName?: string | undefined;
}

export const FormField = forwardRef<HTMLInputElement, FormFieldProps>(
  ({ id, label, error, fieldClassName, ...props }, ref) => (
    <div className={cn("space-y-1", fieldClassName)}>
      <Label htmlFor={id}>{label}</Label>
      <Input
        ref={ref}
        id={id}
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
  ),
);
FormField.displayName = "FormField";

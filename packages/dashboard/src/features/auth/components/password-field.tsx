/** A labelled password input with its validation message wired to `aria-describedby`. */
import { forwardRef } from "react";
import { FormField, type FormFieldProps } from "@/components/form-field";

export const PasswordField = forwardRef<HTMLInputElement, FormFieldProps>((props, ref) => (
  <FormField ref={ref} type="password" fieldClassName="space-y-2" {...props} />
));
PasswordField.displayName = "PasswordField";

/** Add a user with a temporary password (admin); they choose their own at first sign-in. */
import { zodResolver } from "@hookform/resolvers/zod";
import { useId } from "react";
import { Controller, useForm } from "react-hook-form";
import { FormField } from "@/components/form-field";
import { ErrorState } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { type CreateUserInput, createUserSchema, useCreateUser } from "../api/create-user";
import { generatePassword } from "../generate-password";
import { RoleSelect } from "./role-select";

export function UserCreateForm() {
  const id = useId();
  const mutation = useCreateUser();
  const form = useForm<CreateUserInput>({
    resolver: zodResolver(createUserSchema),
    defaultValues: { username: "", password: "", role: "viewer" },
  });
  const { errors } = form.formState;
  return (
    <form
      aria-labelledby={`${id}-title`}
      noValidate
      className="grid gap-3 sm:grid-cols-3"
      onSubmit={form.handleSubmit((input) =>
        mutation.mutate(input, {
          onSuccess: () => form.reset({ username: "", password: "", role: input.role }),
        }),
      )}
    >
      <h3 id={`${id}-title`} className="font-semibold sm:col-span-3">
        Add a user
      </h3>
      <FormField
        id={`${id}-username`}
        label="Username"
        autoComplete="off"
        error={errors.username?.message}
        {...form.register("username")}
      />
      <div className="space-y-1">
        <Label htmlFor={`${id}-password`}>Temporary password</Label>
        <div className="flex gap-2">
          <Input
            id={`${id}-password`}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={errors.password !== undefined}
            aria-describedby={errors.password ? `${id}-password-error` : undefined}
            className="font-mono"
            {...form.register("password")}
          />
          <Button
            type="button"
            variant="outline"
            onClick={() => form.setValue("password", generatePassword(), { shouldValidate: true })}
          >
            Generate<span className="sr-only"> a temporary password</span>
          </Button>
        </div>
        {errors.password && (
          <p id={`${id}-password-error`} className="text-sm text-destructive">
            {errors.password.message}
          </p>
        )}
      </div>
      <div className="space-y-1">
        <Label htmlFor={`${id}-role`}>Role</Label>
        <Controller
          control={form.control}
          name="role"
          render={({ field }) => (
            <RoleSelect id={`${id}-role`} value={field.value} onValueChange={field.onChange} />
          )}
        />
      </div>
      <div className="flex flex-wrap items-center gap-3 sm:col-span-3">
        <Button type="submit" disabled={mutation.isPending}>
          {mutation.isPending ? "Adding…" : "Add user"}
        </Button>
        <p role="status" className="text-sm">
          {mutation.isSuccess
            ? `Added ${mutation.data.username}. They must change the temporary password at first sign-in.`
            : ""}
        </p>
      </div>
      {mutation.isError && (
        <div className="sm:col-span-3">
          <ErrorState error={mutation.error} />
        </div>
      )}
    </form>
  );
}

/**
 * First run (and after an admin reset): the server marks the account
 * `mustChangePassword`; the user picks a new password before using the dashboard.
 */
import { zodResolver } from "@hookform/resolvers/zod";
import { KeyRound } from "lucide-react";
import { useId } from "react";
import { useForm } from "react-hook-form";
import { useNavigate, useSearchParams } from "react-router";
import { ErrorState } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { useSession } from "@/lib/session";
import { type ChangePasswordInput, changePasswordSchema, useChangePassword } from "../api/change-password";
import { safeNext } from "../safe-next";
import { AuthLayout } from "./auth-layout";
import { PasswordField } from "./password-field";

export function ChangePasswordPage() {
  const id = useId();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const username = useSession((s) => s.user?.username ?? "");
  const mutation = useChangePassword(username);
  const form = useForm<ChangePasswordInput>({
    resolver: zodResolver(changePasswordSchema),
    defaultValues: { currentPassword: "", newPassword: "", confirm: "" },
  });
  const { errors } = form.formState;
  const onSubmit = form.handleSubmit(async (input) => {
    await mutation.mutateAsync(input).then(
      () => navigate(safeNext(params.get("next")), { replace: true }),
      () => undefined,
    );
  });
  return (
    <AuthLayout>
      <Card className="w-full max-w-sm">
        <CardHeader>
          <h1 className="text-2xl font-bold">Choose a new password</h1>
          <CardDescription>
            Your account ({username}) still has a generated or reset password. Pick your own before you go on.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <form onSubmit={onSubmit} noValidate className="space-y-4">
            {mutation.isError && <ErrorState error={mutation.error} />}
            <PasswordField
              id={`${id}-current`}
              label="Current password"
              autoComplete="current-password"
              error={errors.currentPassword?.message}
              {...form.register("currentPassword")}
            />
            <PasswordField
              id={`${id}-new`}
              label="New password (10–72 characters)"
              autoComplete="new-password"
              error={errors.newPassword?.message}
              {...form.register("newPassword")}
            />
            <PasswordField
              id={`${id}-confirm`}
              label="New password again"
              autoComplete="new-password"
              error={errors.confirm?.message}
              {...form.register("confirm")}
            />
            <Button type="submit" className="w-full" disabled={mutation.isPending}>
              <KeyRound aria-hidden="true" />
              {mutation.isPending ? "Saving…" : "Save and continue"}
            </Button>
          </form>
        </CardContent>
      </Card>
    </AuthLayout>
  );
}

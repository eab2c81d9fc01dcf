/**
 * Sign in. Errors from the server (wrong password, lockout, rate limit, no server) are
 * shown as the problem's `detail` in an alert that screen readers announce.
 */
import { zodResolver } from "@hookform/resolvers/zod";
import { LogIn } from "lucide-react";
import { useId } from "react";
import { useForm } from "react-hook-form";
import { useNavigate, useSearchParams } from "react-router";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { ApiError, errorMessage } from "@/lib/api";
import { getMe } from "../api/get-me";
import { type LoginInput, loginSchema, useLogin } from "../api/login";
import { safeNext } from "../safe-next";
import { AuthLayout } from "./auth-layout";

export function SignInPage() {
  const id = useId();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const mutation = useLogin();
  const form = useForm<LoginInput>({
    resolver: zodResolver(loginSchema),
    defaultValues: { username: "", password: "" },
  });
  const { errors } = form.formState;
  const onSubmit = form.handleSubmit(async (input) => {
    const next = safeNext(params.get("next"));
    const ok = await mutation.mutateAsync(input).then(
      () => true,
      () => false,
    );
    if (!ok) return;
    // First run: the generated admin password must be changed before anything else.
    const me = await getMe().catch(() => undefined);
    if (me?.mustChangePassword === true)
      navigate(`/change-password?next=${encodeURIComponent(next)}`, { replace: true });
    else navigate(next, { replace: true });
  });
  const failure = mutation.error;

  return (
    <AuthLayout>
      <Card className="w-full max-w-sm">
        <CardHeader>
          <h1 className="text-2xl font-bold">Sign in</h1>
          <CardDescription>
            Use your ChronoSync account. The first account is <code>admin</code>.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <form
            onSubmit={onSubmit}
            noValidate
            className="space-y-4"
            aria-describedby={failure ? `${id}-error` : undefined}
          >
            {failure !== null && (
              <Alert variant="destructive" id={`${id}-error`}>
                <AlertTitle>{failure instanceof ApiError ? failure.title : "Sign-in failed"}</AlertTitle>
                <AlertDescription>{errorMessage(failure)}</AlertDescription>
              </Alert>
            )}
            <div className="space-y-2">
              <Label htmlFor={`${id}-username`}>Username</Label>
              <Input
                id={`${id}-username`}
                autoComplete="username"
                autoCapitalize="none"
                spellCheck={false}
                aria-invalid={errors.username !== undefined}
                aria-describedby={errors.username ? `${id}-username-error` : undefined}
                {...form.register("username")}
              />
              {errors.username && (
                <p id={`${id}-username-error`} className="text-sm text-destructive">
                  {errors.username.message}
                </p>
              )}
            </div>
            <div className="space-y-2">
              <Label htmlFor={`${id}-password`}>Password</Label>
              <Input
                id={`${id}-password`}
                type="password"
                autoComplete="current-password"
                aria-invalid={errors.password !== undefined}
                aria-describedby={errors.password ? `${id}-password-error` : undefined}
                {...form.register("password")}
              />
              {errors.password && (
                <p id={`${id}-password-error`} className="text-sm text-destructive">
                  {errors.password.message}
                </p>
              )}
            </div>
            <Button type="submit" className="w-full" disabled={mutation.isPending}>
              <LogIn aria-hidden="true" />
              {mutation.isPending ? "Signing in…" : "Sign in"}
            </Button>
          </form>
        </CardContent>
      </Card>
    </AuthLayout>
  );
}

/**
 * Edit one user (admin): role, disable / enable, reset the password (they must change it at
 * next sign-in), delete. Each action is its own request; the server's refusals (the last
 * enabled admin, one's own account) are shown as their problem detail.
 */
import { useId, useState } from "react";
import { ErrorState } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { temporaryPassword } from "../api/create-user";
import { useDeleteUser } from "../api/delete-user";
import type { UserAccount } from "../api/get-users";
import { useResetUserPassword } from "../api/reset-user-password";
import { useUpdateUser } from "../api/update-user";
import { generatePassword } from "../generate-password";
import { RoleSelect } from "./role-select";

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  const id = useId();
  return (
    <section className="space-y-2 border-t pt-4" aria-labelledby={id}>
      <h3 id={id} className="font-semibold">
        {title}
      </h3>
      {children}
    </section>
  );
}

function RoleSection({ user }: { user: UserAccount }) {
  const id = useId();
  const update = useUpdateUser();
  const [role, setRole] = useState(user.role);
  return (
    <Section title="Role and access">
      <div className="flex flex-wrap items-end gap-2">
        <div className="min-w-40 space-y-1">
          <Label htmlFor={`${id}-role`}>Role</Label>
          <RoleSelect id={`${id}-role`} value={role} onValueChange={setRole} />
        </div>
        <Button
          variant="outline"
          disabled={update.isPending || role === user.role}
          onClick={() => update.mutate({ id: user.id, role })}
        >
          Save role
        </Button>
        <Button
          variant="outline"
          disabled={update.isPending}
          onClick={() => update.mutate({ id: user.id, disabled: !user.disabled })}
        >
          {user.disabled ? "Enable account" : "Disable account"}
        </Button>
      </div>
      <p className="text-sm text-muted-foreground">
        {user.disabled
          ? "Disabled: this user cannot sign in."
          : "Disabling ends the user's sessions; they cannot sign in until enabled again."}
      </p>
      <p role="status" className="text-sm">
        {update.isSuccess
          ? `Saved: ${update.data.role}, ${update.data.disabled ? "disabled" : "enabled"}.`
          : ""}
      </p>
      {update.isError && <ErrorState error={update.error} />}
    </Section>
  );
}

function PasswordSection({ user }: { user: UserAccount }) {
  const id = useId();
  const reset = useResetUserPassword();
  const [password, setPassword] = useState("");
  const [invalid, setInvalid] = useState<string | undefined>(undefined);
  const submit = () => {
    const checked = temporaryPassword.safeParse(password);
    if (!checked.success) {
      setInvalid(checked.error.issues[0]?.message ?? "Not a valid password");
      return;
    }
    setInvalid(undefined);
    reset.mutate({ id: user.id, password });
  };
  return (
    <Section title="Reset password">
      <div className="space-y-1">
        <Label htmlFor={`${id}-password`}>Temporary password</Label>
        <div className="flex gap-2">
          <Input
            id={`${id}-password`}
            value={password}
            autoComplete="off"
            spellCheck={false}
            className="font-mono"
            aria-invalid={invalid !== undefined}
            aria-describedby={invalid === undefined ? undefined : `${id}-password-error`}
            onChange={(e) => setPassword(e.target.value)}
          />
          <Button type="button" variant="outline" onClick={() => setPassword(generatePassword())}>
            Generate<span className="sr-only"> a temporary password</span>
          </Button>
        </div>
        {invalid !== undefined && (
          <p id={`${id}-password-error`} className="text-sm text-destructive">
            {invalid}
          </p>
        )}
      </div>
      <Button variant="outline" disabled={reset.isPending} onClick={submit}>
        Reset password
      </Button>
      <p role="status" className="text-sm">
        {reset.isSuccess
          ? `Password reset. Give ${user.username} the temporary password; they must change it at next sign-in.`
          : ""}
      </p>
      {reset.isError && <ErrorState error={reset.error} />}
    </Section>
  );
}

function DeleteSection({ user, onDeleted }: { user: UserAccount; onDeleted: () => void }) {
  const remove = useDeleteUser();
  const [confirming, setConfirming] = useState(false);
  return (
    <Section title="Delete user">
      {!confirming ? (
        <Button variant="outline" onClick={() => setConfirming(true)}>
          Delete {user.username}…
        </Button>
      ) : (
        <div className="space-y-2">
          <p className="text-sm">
            Delete {user.username} for good? Their sessions end. The log keeps what they did. To only stop
            their access for now, disable the account instead.
          </p>
          <div className="flex gap-2">
            <Button variant="outline" onClick={() => setConfirming(false)}>
              Keep user
            </Button>
            <Button
              variant="destructive"
              disabled={remove.isPending}
              onClick={() => remove.mutate(user.id, { onSuccess: onDeleted })}
            >
              Delete for good
            </Button>
          </div>
        </div>
      )}
      {remove.isError && <ErrorState error={remove.error} />}
    </Section>
  );
}

export function UserEditDialog({
  user,
  isSelf,
  onClose,
}: {
  user: UserAccount | undefined;
  isSelf: boolean;
  onClose: () => void;
}) {
  return (
    <Dialog open={user !== undefined} onOpenChange={(open) => !open && onClose()}>
      <DialogContent className="max-h-[90vh] overflow-y-auto">
        {user !== undefined && (
          <>
            <DialogTitle>Edit {user.username}</DialogTitle>
            <DialogDescription>
              {isSelf
                ? "This is your own account: another admin can reset its password or delete it."
                : "Every change is recorded in the signed log."}
            </DialogDescription>
            <RoleSection user={user} />
            {!isSelf && <PasswordSection user={user} />}
            {!isSelf && <DeleteSection user={user} onDeleted={onClose} />}
          </>
        )}
      </DialogContent>
    </Dialog>
  );
}

/** The role picker of the user forms (add a user, edit one). */
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { ROLES } from "../api/create-user";

type Role = (typeof ROLES)[number];

interface Props {
  /** The trigger's id, for its `<Label htmlFor>`. */
  readonly id: string;
  readonly value: Role;
  readonly onValueChange: (role: Role) => void;
}

export function RoleSelect({ id, value, onValueChange }: Props) {
  return (
    <Select value={value} onValueChange={(v) => onValueChange(v as Role)}>
      <SelectTrigger id={id}>
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        {ROLES.map((r) => (
          <SelectItem key={r} value={r}>
            {r}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  );
}

/** Accounts and roles (admin only). */
import { ErrorState, LoadingRows } from "@/components/states";
import { Time } from "@/components/time";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useUsers } from "../api/get-users";

export function UsersCard() {
  const users = useUsers(true);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Users</CardTitle>
      </CardHeader>
      <CardContent>
        {users.isPending ? (
          <LoadingRows rows={3} label="Loading users…" />
        ) : users.isError ? (
          <ErrorState error={users.error} onRetry={() => void users.refetch()} />
        ) : (
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead scope="col">Username</TableHead>
                <TableHead scope="col">Role</TableHead>
                <TableHead scope="col">Created</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {users.data.map((u) => (
                <TableRow key={u.id}>
                  <TableCell>{u.username}</TableCell>
                  <TableCell className="space-x-1">
                    <Badge variant="secondary">{u.role}</Badge>
                    {u.disabled && <Badge variant="destructive">disabled</Badge>}
                    {u.mustChangePassword && <Badge variant="warning">must change password</Badge>}
                    {u.lockedUntil !== null && <Badge variant="warning">locked</Badge>}
                  </TableCell>
                  <TableCell>
                    <Time value={u.createdAt} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}

/** Settings: enrollment, policies, retention, API clients and users. Admin-only parts are shown to admins only. */
import { PageHeader } from "@/components/states";
import { useSession } from "@/lib/session";
import { ClientsCard } from "./clients-card";
import { EnrollmentCard } from "./enrollment-card";
import { PoliciesCard } from "./policies-card";
import { RetentionCard } from "./retention-card";
import { UsersCard } from "./users-card";

export function SettingsPage() {
  const admin = useSession((s) => s.user?.role) === "admin";
  return (
    <>
      <PageHeader
        title="Settings"
        description={
          admin
            ? "Enroll nodes, set tolerances, and manage who and what can use ChronoSync."
            : "Tolerance policies and retention. Enrollment, clients and users are managed by an administrator."
        }
      />
      <div className="grid gap-6 xl:grid-cols-2">
        {admin && <EnrollmentCard />}
        <PoliciesCard canEdit={admin} />
        <RetentionCard canEdit={admin} />
        {admin && <ClientsCard />}
        {admin && <UsersCard />}
      </div>
    </>
  );
}

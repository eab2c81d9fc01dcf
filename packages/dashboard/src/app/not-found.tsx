/** Unknown client route inside the app. */
import { Link } from "react-router";
import { EmptyState, PageHeader } from "@/components/states";
import { Button } from "@/components/ui/button";

export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" />
      <EmptyState
        title="There is nothing at this address"
        action={
          <Button asChild>
            <Link to="/">Go to the overview</Link>
          </Button>
        }
      >
        Check the address, or use the navigation.
      </EmptyState>
    </>
  );
}

/** Timestamps: normalize onto UTC, and verify receipts. */
import { PageHeader } from "@/components/states";
import { Card, CardContent } from "@/components/ui/card";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { NormalizeForm } from "./normalize-form";
import { VerifyForm } from "./verify-form";

export function TimestampsPage() {
  return (
    <>
      <PageHeader
        title="Timestamps"
        description="Put event timestamps from any system on one UTC timeline, with an honest uncertainty and a signed receipt."
      />
      <Tabs defaultValue="normalize">
        <TabsList aria-label="Timestamp tools">
          <TabsTrigger value="normalize">Normalize</TabsTrigger>
          <TabsTrigger value="verify">Verify</TabsTrigger>
        </TabsList>
        <TabsContent value="normalize">
          <Card>
            <CardContent className="pt-4 sm:pt-6">
              <NormalizeForm />
            </CardContent>
          </Card>
        </TabsContent>
        <TabsContent value="verify">
          <Card>
            <CardContent className="pt-4 sm:pt-6">
              <VerifyForm />
            </CardContent>
          </Card>
        </TabsContent>
      </Tabs>
    </>
  );
}

using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Sandbox.Http.Routes;

/// <summary>organization and subscribedSkus: the tenant itself and what it has bought.</summary>
internal static class OrganizationRoutes
{
    public static void Map(RouteTable routes)
    {
        routes.Map("GET organization", call => GraphPayloads.Collection(call, "organization", [call.Tenant], GraphShapes.Organization));
        routes.Map("GET organization/{id}", call => string.Equals(call["id"], call.Tenant.Id, StringComparison.OrdinalIgnoreCase)
            ? GraphPayloads.Entity(call, "organization/$entity", call.Tenant, GraphShapes.Organization)
            : call.NotFound(call["id"]));
        routes.Map("GET subscribedSkus", call => GraphPayloads.Collection(call, "subscribedSkus", Usage(call.Tenant), GraphShapes.SubscribedSku));
    }

    /// <summary>Seats consumed are counted from the users' licences on each request, so assignLicense shows at once.</summary>
    private static List<SkuUsage> Usage(Tenant tenant)
    {
        var consumed = new Dictionary<Guid, long>();
        foreach (DirectoryUser user in tenant.Users)
        {
            foreach (AssignedLicense license in user.AssignedLicenses())
            {
                consumed[license.SkuId] = consumed.GetValueOrDefault(license.SkuId) + 1;
            }
        }

        return tenant.SubscribedSkus.Select(s => new SkuUsage(tenant.Id, s, consumed.GetValueOrDefault(s.SkuId))).ToList();
    }
}

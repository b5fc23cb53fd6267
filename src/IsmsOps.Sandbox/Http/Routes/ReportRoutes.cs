using System.Collections;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Sandbox.Http.Routes;

/// <summary>reports/authenticationMethods/userRegistrationDetails, computed from each user's methods on every request.</summary>
internal static class ReportRoutes
{
    private const string Registrations = "reports/authenticationMethods/userRegistrationDetails";

    public static void Map(RouteTable routes)
    {
        routes.Map($"GET {Registrations}", call =>
        {
            var rows = new RegistrationRows(call.Tenant.Users, Administrators(call.Tenant));
            return GraphPayloads.Collection(call, "reports/authenticationMethods/userRegistrationDetails", rows, GraphShapes.UserRegistrationDetails);
        });
        routes.Map($"GET {Registrations}/{{id}}", call => call.Tenant.FindUser(call["id"]) is { } user
            ? GraphPayloads.Entity(call, "reports/authenticationMethods/userRegistrationDetails/$entity",
                new UserRegistration(user, Administrators(call.Tenant).Contains(user.Id)), GraphShapes.UserRegistrationDetails)
            : call.NotFound(call["id"]));
    }

    /// <summary>Users holding an active directory role, directly or through a role-assignable group.</summary>
    private static HashSet<string> Administrators(Tenant tenant)
    {
        var admins = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (RoleAssignment assignment in tenant.RoleAssignments)
        {
            switch (assignment.Principal)
            {
                case DirectoryUser user:
                    admins.Add(user.Id);
                    break;
                case DirectoryGroup group:
                    admins.UnionWith(group.TransitiveMembers().OfType<DirectoryUser>().Select(u => u.Id));
                    break;
            }
        }

        return admins;
    }

    /// <summary>
    /// The report's rows, made as the writer reaches them: a client reads a 100,000-user report a page at a time, and
    /// building every row for every page made reading it all quadratic.
    /// </summary>
    private sealed class RegistrationRows(IReadOnlyList<DirectoryUser> users, HashSet<string> admins) : IReadOnlyList<UserRegistration>
    {
        public int Count => users.Count;

        public UserRegistration this[int index] => Row(users[index]);

        public IEnumerator<UserRegistration> GetEnumerator() => users.Select(Row).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        private UserRegistration Row(DirectoryUser user) => new(user, admins.Contains(user.Id));
    }
}

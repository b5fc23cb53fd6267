using System.Globalization;
using System.Text.Json;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Sandbox.Http.Routes;

/// <summary>users: the collection, one user, their manager and reports, memberships, ownerships, licences and sessions.</summary>
internal static class UserRoutes
{
    private static readonly ListingOptions<DirectoryUser> Users = new()
    {
        Expansions =
        [
            new Expansion<DirectoryUser>("manager", u => u.Manager is null ? [] : [u.Manager], SingleValued: true),
            new Expansion<DirectoryUser>("sponsors", u => u.Sponsors),
        ],
    };

    private static readonly ListingOptions<DirectoryObject> DirectoryObjects = new() { WithODataType = true };

    public static void Map(RouteTable routes)
    {
        routes.Map("GET users", call => RefuseSignInActivity(call)
            ?? GraphPayloads.Collection(call, "users", call.Tenant.Users, GraphShapes.User, Users));
        routes.Map("POST users", Create);
        routes.Map("GET users/{id}", call => call.WithUser(user => RefuseSignInActivity(call)
            ?? GraphPayloads.Entity(call, "users/$entity", user, GraphShapes.User, Users)));
        routes.Map("PATCH users/{id}", call => call.WithUser(user => call.WithBody(body => Update(call, user, body))));
        routes.Map("DELETE users/{id}", call => call.WithUser(user =>
        {
            call.Tenant.Remove(user);
            return GraphResponse.NoContent();
        }));

        routes.Map("GET users/{id}/manager", call => call.WithUser(user => user.Manager is null
            ? call.NotFound("manager")
            : GraphPayloads.Entity<DirectoryObject>(call, "directoryObjects/$entity", user.Manager, GraphShapes.DirectoryObject, DirectoryObjects)));
        routes.Map("PUT users/{id}/manager/$ref", call => call.WithUser(user => call.WithBody(body => SetManager(call, user, body))));
        routes.Map("DELETE users/{id}/manager/$ref", call => call.WithUser(user =>
        {
            if (user.Manager is null)
            {
                return call.NotFound("manager");
            }

            user.SetManager(null);
            return GraphResponse.NoContent();
        }));
        routes.Map("GET users/{id}/sponsors", call => call.WithUser(user => Objects(call, user.Sponsors)));
        routes.Map("POST users/{id}/sponsors/$ref", call => call.WithUser(user => call.WithBody(body => AddSponsor(call, user, body))));
        routes.Map("DELETE users/{id}/sponsors/{sponsorId}/$ref", call => call.WithUser(user =>
            user.RemoveSponsor(call["sponsorId"]) ? GraphResponse.NoContent() : call.NotFound(call["sponsorId"])));
        routes.Map("GET users/{id}/directReports", call => call.WithUser(user => Objects(call, user.DirectReports)));
        routes.Map("GET users/{id}/memberOf", call => call.WithUser(user => Objects(call, user.MemberOf)));
        routes.Map("GET users/{id}/transitiveMemberOf", call => call.WithUser(user => Objects(call, user.TransitiveMemberOf())));
        routes.Map("GET users/{id}/ownedObjects", call => call.WithUser(user => Objects(call, user.OwnedGroups)));
        routes.Map("GET users/{id}/ownedDevices", call => call.WithUser(user => Objects(call, user.OwnedDevices)));
        routes.Map("GET users/{id}/registeredDevices", call => call.WithUser(user => Objects(call, user.RegisteredDevices)));

        routes.Map("GET users/{id}/licenseDetails", call => call.WithUser(user =>
            GraphPayloads.Collection(call, $"users('{user.Id}')/licenseDetails", LicenseDetails(call.Tenant, user), GraphShapes.LicenseDetail)));
        routes.Map("POST users/{id}/assignLicense", call => call.WithUser(user => call.WithBody(body => AssignLicense(call, user, body))));
        routes.Map("POST users/{id}/revokeSignInSessions", call => call.WithUser(user =>
        {
            // Graph moves signInSessionsValidFromDateTime forward; refresh tokens issued before it stop working.
            user.SignInSessionsValidFromDateTime = call.Tenant.Stamp();
            return GraphResponse.Json(200, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("@odata.context", $"{call.Request.BaseUrl}/$metadata#Edm.Boolean");
                writer.WriteBoolean("value", true);
                writer.WriteEndObject();
            });
        }));
    }

    private static GraphResponse Objects(RouteCall call, IReadOnlyList<DirectoryObject> items) =>
        GraphPayloads.Collection(call, "directoryObjects", items, GraphShapes.DirectoryObject, DirectoryObjects);

    /// <summary>signInActivity needs AuditLog.Read.All on top of reading users, and an Entra ID P1 tenant.</summary>
    private static GraphResponse? RefuseSignInActivity(RouteCall call)
    {
        if (!call.Request.Query.TryGetValue("$select", out string? select)
            || !select.Split(',', StringSplitOptions.TrimEntries).Contains("signInActivity", StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        return call.Demand(RoutePermissions.SignInActivity)
            ?? (call.Options.PremiumP1 ? null : RoutePermissions.Unlicensed(call.Request, RequiredLicence.PremiumP1));
    }

    private static GraphResponse Create(RouteCall call) => call.WithBody(body =>
    {
        string? upn = RouteCall.String(body, "userPrincipalName");
        string? displayName = RouteCall.String(body, "displayName");
        string? nickname = RouteCall.String(body, "mailNickname");
        bool hasPassword = body.TryGetProperty("passwordProfile", out JsonElement profile) && profile.ValueKind == JsonValueKind.Object
            && RouteCall.String(profile, "password") is { Length: > 0 };
        bool hasEnabled = body.TryGetProperty("accountEnabled", out JsonElement enabled) && enabled.ValueKind is JsonValueKind.True or JsonValueKind.False;
        string? missing = !hasEnabled ? "accountEnabled" : displayName is null ? "displayName" : nickname is null ? "mailNickname"
            : upn is null ? "userPrincipalName" : !hasPassword ? "passwordProfile" : null;
        if (missing is not null)
        {
            return call.BadRequest($"Invalid value specified for property '{missing}' of resource 'User'.");
        }

        int at = upn!.LastIndexOf('@');
        if (at < 1 || !call.Tenant.VerifiedDomains.Any(d => string.Equals(d.Name, upn[(at + 1)..], StringComparison.OrdinalIgnoreCase)))
        {
            return call.BadRequest("The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.");
        }

        if (call.Tenant.FindUser(upn) is not null)
        {
            return call.BadRequest("Another object with the same value for property userPrincipalName already exists.");
        }

        string[] accepted = ["accountEnabled", "displayName", "mailNickname", "userPrincipalName", "passwordProfile", "givenName", "surname",
            "mail", "department", "jobTitle", "employeeId", "usageLocation", "userType", "employeeHireDate"];
        if (body.EnumerateObject().Select(p => p.Name).FirstOrDefault(name => !accepted.Contains(name, StringComparer.Ordinal)) is { } unknown)
        {
            return call.BadRequest($"The sandbox cannot create a user with property '{unknown}'; it accepts {string.Join(", ", accepted)}.");
        }

        DateTimeOffset? hired = null;
        if (RouteCall.String(body, "employeeHireDate") is { } hireText)
        {
            if (!DateTimeOffset.TryParse(hireText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return call.BadRequest($"Invalid value specified for property 'employeeHireDate' of resource 'User'.");
            }

            hired = parsed;
        }

        var user = new DirectoryUser(call.Tenant.NewId(), upn)
        {
            DisplayName = displayName!,
            MailNickname = nickname,
            GivenName = RouteCall.String(body, "givenName"),
            Surname = RouteCall.String(body, "surname"),
            Mail = RouteCall.String(body, "mail"),
            Department = RouteCall.String(body, "department"),
            JobTitle = RouteCall.String(body, "jobTitle"),
            EmployeeId = RouteCall.String(body, "employeeId"),
            UsageLocation = RouteCall.String(body, "usageLocation"),
            UserType = RouteCall.String(body, "userType") ?? "Member",
            AccountEnabled = enabled.GetBoolean(),
            EmployeeHireDate = hired,
            CreatedDateTime = call.Tenant.Stamp(),
        };
        user.AddMethod(new PasswordMethod(PasswordMethod.WellKnownId) { CreatedDateTime = user.CreatedDateTime });
        call.Tenant.Add(user);
        return GraphPayloads.Entity(call, "users/$entity", user, GraphShapes.User, status: 201);
    });

    private static GraphResponse Update(RouteCall call, DirectoryUser user, JsonElement body)
    {
        // Validate everything first so a bad property leaves the user untouched, as Graph does.
        var changes = new List<Action>();
        foreach (JsonProperty property in body.EnumerateObject())
        {
            JsonElement value = property.Value;
            bool isText = value.ValueKind is JsonValueKind.String or JsonValueKind.Null;
            Action? change = property.Name switch
            {
                "accountEnabled" when value.ValueKind is JsonValueKind.True or JsonValueKind.False => () => user.AccountEnabled = value.GetBoolean(),
                "department" when isText => () => user.Department = value.GetString(),
                "jobTitle" when isText => () => user.JobTitle = value.GetString(),
                "usageLocation" when isText => () => user.UsageLocation = value.GetString(),
                "employeeId" when isText => () => user.EmployeeId = value.GetString(),
                "employeeHireDate" when value.ValueKind == JsonValueKind.Null => () => user.EmployeeHireDate = null,
                "employeeHireDate" when value.ValueKind == JsonValueKind.String && value.TryGetDateTimeOffset(out DateTimeOffset hired) => () => user.EmployeeHireDate = hired,
                _ => null,
            };
            if (change is null)
            {
                return call.BadRequest(
                    $"The sandbox cannot update property '{property.Name}' with a {value.ValueKind} value; it supports accountEnabled, department, jobTitle, usageLocation, employeeId and employeeHireDate.");
            }

            changes.Add(change);
        }

        changes.ForEach(change => change());
        return GraphResponse.NoContent();
    }

    private static GraphResponse AddSponsor(RouteCall call, DirectoryUser user, JsonElement body)
    {
        if (RouteCall.ReferencedId(body) is not { } sponsorId)
        {
            return call.BadRequest("The request body must carry an @odata.id that references a user.");
        }

        if (call.Tenant.FindUser(sponsorId) is not { } sponsor)
        {
            return call.NotFound(sponsorId);
        }

        return user.AddSponsor(sponsor)
            ? GraphResponse.NoContent()
            : call.BadRequest("One or more added object references already exist for the following modified properties: 'sponsors'.");
    }

    private static GraphResponse SetManager(RouteCall call, DirectoryUser user, JsonElement body)
    {
        if (RouteCall.ReferencedId(body) is not { } managerId)
        {
            return call.BadRequest("The request body must carry an @odata.id that references a user.");
        }

        if (call.Tenant.FindUser(managerId) is not { } manager)
        {
            return call.NotFound(managerId);
        }

        if (ReferenceEquals(manager, user))
        {
            return call.BadRequest("A user cannot be their own manager.");
        }

        user.SetManager(manager);
        return GraphResponse.NoContent();
    }

    private static List<LicenseDetail> LicenseDetails(Tenant tenant, DirectoryUser user) =>
        user.AssignedLicenses()
            .Select(l => tenant.FindSku(l.SkuId) is { } sku ? new LicenseDetail(LicenseDetailId(user, l.SkuId), sku, l.DisabledPlans) : null)
            .OfType<LicenseDetail>()
            .ToList();

    // Graph's licenseDetails ids are opaque base64; this one is stable per user and SKU.
    private static string LicenseDetailId(DirectoryUser user, Guid skuId) =>
        Base64Url.Encode([.. Guid.Parse(user.Id).ToByteArray(), .. skuId.ToByteArray()]);

    private static GraphResponse AssignLicense(RouteCall call, DirectoryUser user, JsonElement body)
    {
        if (!body.TryGetProperty("addLicenses", out JsonElement add) || add.ValueKind != JsonValueKind.Array
            || !body.TryGetProperty("removeLicenses", out JsonElement remove) || remove.ValueKind != JsonValueKind.Array)
        {
            return call.BadRequest("Both addLicenses and removeLicenses are required (either may be an empty array).");
        }

        var additions = new List<AssignedLicense>();
        foreach (JsonElement item in add.EnumerateArray())
        {
            if (!Guid.TryParse(RouteCall.String(item, "skuId"), out Guid skuId) || call.Tenant.FindSku(skuId) is not { } sku)
            {
                return call.BadRequest($"License {RouteCall.String(item, "skuId")} does not correspond to a valid company License.");
            }

            var disabled = new List<Guid>();
            if (item.TryGetProperty("disabledPlans", out JsonElement plans) && plans.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement plan in plans.EnumerateArray())
                {
                    if (!Guid.TryParse(plan.GetString(), out Guid planId) || sku.ServicePlans.All(p => p.ServicePlanId != planId))
                    {
                        return call.BadRequest($"Invalid disabled plan '{plan}' for license {skuId}: the plan is not part of {sku.SkuPartNumber}.");
                    }

                    disabled.Add(planId);
                }
            }

            additions.Add(new AssignedLicense(skuId, disabled, call.Tenant.Stamp()));
        }

        if (additions.Count > 0 && string.IsNullOrEmpty(user.UsageLocation))
        {
            return call.BadRequest("License assignment cannot be done for user with invalid usage location.");
        }

        var removals = new List<Guid>();
        foreach (JsonElement item in remove.EnumerateArray())
        {
            if (!Guid.TryParse(item.GetString(), out Guid skuId))
            {
                return call.BadRequest($"Invalid value specified for property 'removeLicenses' of resource 'User': '{item}'.");
            }

            if (user.DirectLicenses.All(l => l.SkuId != skuId))
            {
                // Graph will not take away what a group gives; the caller must remove the user from the group.
                return call.BadRequest(user.LicenseAssignmentStates().Any(s => s.SkuId == skuId)
                    ? "User license is inherited from a group membership and it cannot be removed directly from the user."
                    : "User does not have a corresponding license.");
            }

            removals.Add(skuId);
        }

        foreach (Guid skuId in removals)
        {
            user.RemoveDirectLicense(skuId);
        }

        foreach (AssignedLicense license in additions)
        {
            user.RemoveDirectLicense(license.SkuId);
            user.AddDirectLicense(license);
        }

        return GraphPayloads.Entity(call, "users/$entity", user, GraphShapes.User);
    }
}

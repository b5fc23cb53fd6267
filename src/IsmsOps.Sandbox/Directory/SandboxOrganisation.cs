using System.Globalization;
using System.Text;

namespace IsmsOps.Sandbox.Directory;

/// <summary>
/// Generates a realistic organisation from a seed: departments with a management chain, guests, leavers and stale
/// accounts, names that break naive code (apostrophes, non-ASCII letters), and groups of every kind IsmsOps has to
/// tell apart (security, Microsoft 365, dynamic, synced, mail-enabled, role-assignable, nested).
/// </summary>
public static partial class SandboxOrganisation
{
    public const string DefaultDomain = "ismssandbox.onmicrosoft.com";

    /// <summary>A second verified domain, so creating users on a domain other than the default is possible too.</summary>
    public const string CustomDomain = "ismssandbox.example";

    public const string OrganisationName = "ISMS Sandbox Ltd";

    // About five direct memberships per user (500,000 at 100,000 users), the scale the benchmarks are written against.
    private const int MembershipsPerUser = 5;

    // Dates hang off a fixed instant, not the clock, so the same seed yields byte-identical payloads on any day.
    internal static readonly DateTimeOffset Now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] GivenNames =
    [
        "Zoë", "Łukasz", "Siobhán", "José", "Ana", "Björn", "Chloé", "Dmitri", "Emma", "Fatima", "Grace", "Hiroshi",
        "Ingrid", "Jamal", "Kai", "Léa", "Mateo", "Noah", "Olivia", "Priya", "Quinn", "Rafał", "Søren", "Tomás", "Uma",
        "Valentina", "William", "Xiao", "Yusuf", "Zofia", "Renée", "Ahmed", "Mary", "John", "Aoife", "Małgorzata",
        "François", "Jürgen", "Nadia", "Oscar",
    ];

    private static readonly string[] Surnames =
    [
        "O'Brien", "Ødegaard", "Müller", "García", "Nguyễn", "D'Angelo", "Kowalski", "Smith", "Jones", "Okafor",
        "Łukaszewicz", "Sørensen", "Núñez", "Dubois", "Schröder", "Tanaka", "Patel", "Kim", "MacDonald", "O'Connor",
        "Ivanova", "Fernández", "Andersson", "Çelik", "Lindqvist", "Brown", "Wójcik", "Rossi", "Haddad", "Björk",
    ];

    private static readonly (string Name, string[] Titles)[] Departments =
    [
        ("Finance", ["Accountant", "Financial Analyst", "Controller"]),
        ("Human Resources", ["HR Advisor", "Recruiter", "Payroll Specialist"]),
        ("Engineering", ["Software Engineer", "Site Reliability Engineer", "QA Engineer", "Engineering Manager"]),
        ("Sales", ["Account Executive", "Sales Manager", "Sales Development Representative"]),
        ("Marketing", ["Marketing Specialist", "Content Writer"]),
        ("Legal", ["Counsel", "Paralegal"]),
        ("IT Operations", ["Systems Administrator", "Service Desk Analyst", "Network Engineer"]),
        ("Information Security", ["Security Analyst", "Security Engineer"]),
        ("Customer Support", ["Support Agent", "Support Team Lead"]),
        ("Procurement", ["Buyer", "Vendor Manager"]),
    ];

    private const string ExecutiveDepartment = "Executive";

    private static readonly string[] UsageLocations = ["GB", "GB", "GB", "US", "US", "DE", "PL", "FR", "IE", "NO"];

    private static readonly string[] GuestDomains = ["fabrikam.com", "contoso.co.uk", "northwind.example", "auditors.example"];

    private static readonly string[] ProjectNames =
    [
        "Apollo", "Borealis", "Cobalt", "Delta", "Ember", "Fjord", "Granite", "Harbour", "Iris", "Juniper", "Kestrel",
        "Lumen", "Meridian", "Nimbus", "Orchid", "Pioneer", "Quartz", "Ridge", "Summit", "Tundra",
    ];

    /// <summary>Builds the tenant for <paramref name="userCount"/> users; the same seed always gives the same tenant.</summary>
    public static Tenant Generate(int userCount, int seed)
    {
        var random = new SeedSequence(unchecked((ulong)seed * 0x2545F4914F6CDD1DUL + 27001));
        var tenant = new Tenant(random.NextGuid().ToString(), DefaultDomain, OrganisationName) { CreatedDateTime = Now.AddYears(-9) };
        var byDepartment = GenerateUsers(tenant, userCount, random);
        GenerateGroups(tenant, byDepartment, random);
        GenerateSponsors(tenant);
        GenerateLicences(tenant, random);
        GenerateRoles(tenant, byDepartment, random);
        GenerateApplications(tenant, random);
        GenerateAuthenticationMethods(tenant, random);
        GenerateDevices(tenant, random);
        GenerateRoleCatalogObjects(tenant);
        return tenant;
    }

    private static Dictionary<string, List<DirectoryUser>> GenerateUsers(Tenant tenant, int userCount, SeedSequence random)
    {
        var takenNicknames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var byDepartment = Departments.ToDictionary(d => d.Name, _ => new List<DirectoryUser>());
        byDepartment.Add(ExecutiveDepartment, []);
        DirectoryUser? chiefExecutive = null;

        for (int index = 0; index < userCount; index++)
        {
            string given = random.Pick(GivenNames);
            string surname = random.Pick(Surnames);
            string nickname = UniqueNickname($"{AsciiFold(given)}.{AsciiFold(surname)}", takenNicknames);
            DateTimeOffset created = Now.AddDays(-random.Next(8 * 365)).AddSeconds(-random.Next(86_400));
            string id = random.NextGuid().ToString();

            // About 3% guests, spread evenly so even a 100-user tenant has some.
            if (index % 33 == 16)
            {
                string home = random.Pick(GuestDomains);
                tenant.Add(new DirectoryUser(id, $"{nickname}_{home}#EXT#@{tenant.DefaultDomain}")
                {
                    DisplayName = $"{given} {surname}",
                    GivenName = given,
                    Surname = surname,
                    Mail = $"{nickname}@{home}",
                    MailNickname = $"{nickname}_{home}#EXT#",
                    UserType = "Guest",
                    CreatedDateTime = created,
                    LastSignInDateTime = random.Chance(0.3) ? null : Now.AddDays(-random.Next(400)).AddSeconds(-random.Next(86_400)),
                });
                continue;
            }

            bool isChief = chiefExecutive is null;
            var (department, titles) = isChief ? (ExecutiveDepartment, ["Chief Executive Officer"]) : Departments[random.Next(Departments.Length)];
            List<DirectoryUser> colleagues = byDepartment[department];
            bool isHead = !isChief && colleagues.Count == 0;
            bool leaver = !isChief && !isHead && random.Chance(0.04);
            bool stale = !leaver && !isChief && random.Chance(0.05);
            // New starters who have not signed in yet: an account nobody has claimed.
            bool neverSignedIn = !leaver && !stale && !isChief && created > Now.AddDays(-60) && random.Chance(0.5);
            // A few give notice: still enabled, with a leave date in the weeks ahead.
            DateTimeOffset? leaves = leaver ? Now.AddDays(-random.Next(1, 365))
                : !isChief && !isHead && random.Chance(0.01) ? Now.AddDays(random.Next(1, 60)) : null;
            DateTimeOffset? lastSignIn = neverSignedIn ? null
                : stale ? Now.AddDays(-random.Next(120, 900)).AddSeconds(-random.Next(86_400))
                : Now.AddDays(-random.Next(30)).AddSeconds(-random.Next(86_400));

            var user = new DirectoryUser(id, $"{nickname}@{tenant.DefaultDomain}")
            {
                DisplayName = $"{given} {surname}",
                GivenName = given,
                Surname = surname,
                Mail = $"{nickname}@{tenant.DefaultDomain}",
                MailNickname = nickname,
                Department = department,
                JobTitle = isHead ? $"Head of {department}" : random.Pick(titles),
                EmployeeId = (100_000 + index).ToString(CultureInfo.InvariantCulture),
                UserType = "Member",
                AccountEnabled = !leaver,
                CreatedDateTime = created,
                EmployeeHireDate = created.Date,
                EmployeeLeaveDateTime = leaves,
                OnPremisesSyncEnabled = random.Chance(0.3) ? true : null,
                UsageLocation = random.Pick(UsageLocations),
                // Stale: enabled but not signed in for months, the account an access review should catch.
                LastSignInDateTime = lastSignIn,
                // Background token refreshes keep running after the last interactive sign-in.
                LastNonInteractiveSignInDateTime = lastSignIn is { } last ? Min(last.AddHours(random.Next(1, 72)), Now) : null,
                // Now and then the latest attempts failed (a locked-out or phished account).
                LastSuccessfulSignInDateTime = lastSignIn is { } attempt && random.Chance(0.05) ? attempt.AddDays(-random.Next(1, 30)) : lastSignIn,
            };

            // Each department head reports to the chief executive; everyone else to an earlier colleague, which
            // gives management chains of varying depth.
            user.SetManager(isChief ? null : isHead ? chiefExecutive : random.Pick(colleagues));
            chiefExecutive ??= user;
            colleagues.Add(user);
            tenant.Add(user);
        }

        return byDepartment;
    }

    /// <summary>
    /// Two guests in three have a sponsor, an enabled member picked by the guest's position (no draw from the seed, so
    /// the rest of the tenant is what it was before guests had sponsors); every third guest has none, which an access
    /// review recommends removing.
    /// </summary>
    private static void GenerateSponsors(Tenant tenant)
    {
        var members = tenant.Users.Where(u => u.UserType == "Member" && u.AccountEnabled).ToList();
        var guests = tenant.Users.Where(u => u.UserType == "Guest").ToList();
        for (int i = 0; i < guests.Count && members.Count > 0; i++)
        {
            if (i % 3 != 2)
            {
                guests[i].AddSponsor(members[(i * 31) % members.Count]);
            }
        }
    }

    private static void GenerateGroups(Tenant tenant, Dictionary<string, List<DirectoryUser>> byDepartment, SeedSequence random)
    {
        DirectoryUser chiefExecutive = tenant.Users.First(u => u.UserType == "Member");
        var members = tenant.Users.Where(u => u.UserType == "Member").ToList();
        var guests = tenant.Users.Where(u => u.UserType == "Guest").ToList();

        var allStaff = NewGroup(tenant, random, "All Staff", "Every department group, nested.", security: true);
        allStaff.AddOwner(chiefExecutive);

        int departmentNumber = 0;
        foreach (var (department, staff) in byDepartment.Where(d => d.Value.Count > 0))
        {
            // Two departments are mastered on-premises, so Graph cannot change them and IsmsOps must say so.
            var group = NewGroup(tenant, random, $"Dept - {department}", $"Everyone in {department}.", security: true,
                synced: departmentNumber++ < 2);
            foreach (var user in staff)
            {
                group.AddMember(user);
            }

            group.AddOwner(staff[0]);
            allStaff.AddMember(group);

            if (department is "Engineering" or "Sales" or "Finance")
            {
                var dynamic = NewGroup(tenant, random, $"Dynamic - {department}", $"Rule-based membership for {department}.",
                    security: true, rule: $"(user.department -eq \"{department}\")");
                foreach (var user in staff.Where(u => u.AccountEnabled))
                {
                    dynamic.AddMember(user);
                }

                dynamic.AddOwner(staff[0]);
            }

            if (department is "Marketing" or "Sales" or "Engineering")
            {
                var team = NewGroup(tenant, random, $"Team - {department}", $"Microsoft 365 team for {department}.",
                    security: false, unified: true);
                foreach (var user in staff.Take(50))
                {
                    team.AddMember(user);
                }

                team.AddOwner(staff[0]);
            }
        }

        var allGuests = NewGroup(tenant, random, "Dynamic - All Guests", "Every guest account.", security: true,
            rule: "(user.userType -eq \"Guest\")");
        foreach (var guest in guests)
        {
            allGuests.AddMember(guest);
        }

        allGuests.AddOwner(chiefExecutive);

        var alerts = NewGroup(tenant, random, "Mail - Security Alerts", "Mail-enabled security group for alert mail.",
            security: true, mailEnabled: true);
        var operators = byDepartment["IT Operations"].Concat(byDepartment["Information Security"]).ToList();
        foreach (var user in operators.Take(10))
        {
            alerts.AddMember(user);
        }

        alerts.AddOwner(chiefExecutive);

        foreach (string role in new[] { "Global Administrators", "Security Operators", "User Administrators" })
        {
            var privileged = NewGroup(tenant, random, $"Privileged - {role}", $"Role-assignable group for {role}.",
                security: true, roleAssignable: true);
            for (int i = 0; i < 3 && operators.Count > 0; i++)
            {
                privileged.AddMember(random.Pick(operators));
            }

            privileged.AddOwner(chiefExecutive);
        }

        // Group-based licensing: members of these groups inherit a licence (licenseAssignmentStates.assignedByGroup).
        var e5Group = NewGroup(tenant, random, "Licensing - Microsoft 365 E5", "Members inherit Microsoft 365 E5.", security: true);
        e5Group.AddLicense(new AssignedLicense(LicenceCatalogue.Microsoft365E5, [], e5Group.CreatedDateTime));
        e5Group.AddOwner(chiefExecutive);
        var p2Group = NewGroup(tenant, random, "Licensing - Entra ID P2", "Members inherit Entra ID P2.", security: true);
        p2Group.AddLicense(new AssignedLicense(LicenceCatalogue.EntraIdP2, [], p2Group.CreatedDateTime));
        p2Group.AddOwner(chiefExecutive);
        foreach (var user in members)
        {
            if (random.Chance(0.2))
            {
                e5Group.AddMember(user);
            }
        }

        foreach (var user in operators)
        {
            p2Group.AddMember(user);
        }

        // Project groups fill up to about one group per twenty users, less the role catalog's groups that come last,
        // sized so the tenant ends with about five direct memberships per user; every fifth nests an earlier project.
        int target = Math.Max(tenant.Groups.Count + 5, tenant.Users.Count / 20 - CatalogGroups.Length);
        long budget = (long)MembershipsPerUser * tenant.Users.Count - tenant.Groups.Sum(g => (long)g.Members.Count);
        int averageSize = (int)Math.Clamp(budget / Math.Max(1, target - tenant.Groups.Count), 5, members.Count / 2);
        var projects = new List<DirectoryGroup>();
        for (int number = 1; tenant.Groups.Count < target; number++)
        {
            string name = $"Project - {ProjectNames[number % ProjectNames.Length]} {number}";
            var project = NewGroup(tenant, random, name, $"Working group {number}.", security: true);
            int size = averageSize / 2 + random.Next(averageSize + 1);
            for (int attempt = 0; project.Members.Count < size && attempt < size * 3; attempt++)
            {
                project.AddMember(random.Pick(members));
            }

            if (number % 5 == 0 && projects.Count > 0)
            {
                project.AddMember(random.Pick(projects));
            }

            project.AddOwner(random.Pick(members));
            if (random.Chance(0.3))
            {
                project.AddOwner(random.Pick(members));
            }

            projects.Add(project);
        }
    }

    private static DirectoryGroup NewGroup(Tenant tenant, SeedSequence random, string displayName, string description,
        bool security, bool unified = false, bool mailEnabled = false, string? rule = null, bool roleAssignable = false,
        bool synced = false)
    {
        string nickname = new(displayName.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
        bool hasMail = unified || mailEnabled;
        var group = new DirectoryGroup(random.NextGuid().ToString())
        {
            DisplayName = displayName,
            Description = description,
            MailNickname = nickname,
            MailEnabled = hasMail,
            Mail = hasMail ? $"{nickname}@{tenant.DefaultDomain}" : null,
            SecurityEnabled = security,
            GroupTypes = (unified, rule) switch
            {
                (true, not null) => ["Unified", "DynamicMembership"],
                (true, null) => ["Unified"],
                (false, not null) => ["DynamicMembership"],
                _ => [],
            },
            MembershipRule = rule,
            MembershipRuleProcessingState = rule is null ? null : "On",
            IsAssignableToRole = roleAssignable ? true : null,
            OnPremisesSyncEnabled = synced ? true : null,
            Visibility = unified ? "Private" : null,
            CreatedDateTime = Now.AddDays(-random.Next(6 * 365)),
        };
        tenant.Add(group);
        return group;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static string UniqueNickname(string wanted, HashSet<string> taken)
    {
        string candidate = wanted;
        for (int suffix = 2; !taken.Add(candidate); suffix++)
        {
            candidate = wanted + suffix.ToString(CultureInfo.InvariantCulture);
        }

        return candidate;
    }

    /// <summary>Zoë → zoe, Łukasz → lukasz, O'Brien → obrien: what a tenant's UPN policy typically produces.</summary>
    internal static string AsciiFold(string name)
    {
        var folded = new StringBuilder(name.Length);
        foreach (char c in name.Normalize(NormalizationForm.FormD))
        {
            switch (c)
            {
                case 'ł' or 'Ł': folded.Append('l'); break;
                case 'ø' or 'Ø': folded.Append('o'); break;
                case 'ß': folded.Append("ss"); break;
                case >= 'a' and <= 'z' or >= '0' and <= '9': folded.Append(c); break;
                case >= 'A' and <= 'Z': folded.Append(char.ToLowerInvariant(c)); break;
                default: break; // combining marks, apostrophes, spaces
            }
        }

        return folded.ToString();
    }
}

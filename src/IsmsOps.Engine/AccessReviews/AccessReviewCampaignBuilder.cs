using System.Globalization;
using IsmsOps.Engine.Access;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.AccessReviews;

/// <summary>The frozen content of a new campaign: its items in order, the reviewers they name, and what the snapshot could not tell.</summary>
/// <param name="Items">
/// The items, <see cref="AccessReviewItem.ItemId"/> from 1, made as they are enumerated: a campaign of millions streams
/// into the store without all its items in memory at once. Each enumeration makes the same items again.
/// </param>
/// <param name="ItemCount">How many items <paramref name="Items"/> yields.</param>
/// <param name="Reviewers">Every reviewer an item names, by object id.</param>
/// <param name="EvidenceGaps">Facts the snapshot lacked, in words (no sponsors, no sign-in activity, no application owners).</param>
public sealed record AccessReviewContent(IEnumerable<AccessReviewItem> Items, int ItemCount, IReadOnlyList<AccessReviewer> Reviewers, IReadOnlyList<string> EvidenceGaps);

/// <summary>
/// Works out a campaign's items from a <see cref="DirectoryIndex"/>: the scope's access, each with its recommendation,
/// reasons and reviewers. Pure: reads the index, the role catalog and the register's people, and calls nothing. The
/// removal of each item is described the way <see cref="OffboardingPlanner"/> describes the same grant
/// (<see cref="AccessInventory.MembershipRemoval"/>, <see cref="OffboardingPlanner.RoleDetail"/>), so a denied item
/// becomes the step the offboarding runner already knows how to run.
/// </summary>
/// <remarks>
/// Only user accounts are reviewed: access held by a group reaches its members (as Inherited items through that group),
/// and service principals have no manager to ask. Rules and reasons are in docs/access-reviews.md.
/// </remarks>
public static class AccessReviewCampaignBuilder
{
    private static readonly StringComparer Ids = StringComparer.OrdinalIgnoreCase;

    /// <summary>
    /// Builds the items of campaign <paramref name="campaignId"/>. Throws IsmsOps.AccessReview.EmptyScope when the
    /// scope matches nothing, IsmsOps.AccessReview.UnknownGroupTag for a tag <paramref name="groupTags"/> does not
    /// define, IsmsOps.GroupFilter.* for a filter that does not parse, IsmsOps.AccessReview.ReviewerNotFound for a named
    /// or fallback reviewer the snapshot lacks, and IsmsOps.AccessReview.NoReviewer when items are left without a
    /// reviewer and no fallback was given. <paramref name="groupTags"/> are the group tags (policies/group-tags.yaml);
    /// only the built-in <c>privileged</c> tag when null.
    /// </summary>
    public static AccessReviewContent Build(string campaignId, AccessReviewDefinition definition, DirectoryIndex index, RoleCatalog catalog,
        IReadOnlyList<Person> people, DateTimeOffset now, GroupTagPolicy? groupTags = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(people);
        var build = new Builder(campaignId, definition, index, catalog, people, now, groupTags ?? GroupTagPolicy.Default);
        return build.Run();
    }

    private sealed class Builder
    {
        private readonly string _campaignId;
        private readonly AccessReviewDefinition _definition;
        private readonly AccessReviewScope _scope;
        private readonly DirectoryIndex _index;
        private readonly RoleCatalog _catalog;
        private readonly DateTimeOffset _now;
        private readonly bool _signInsKnown;
        private readonly bool _sponsorsKnown;
        private readonly GroupTagPolicy _groupTags;
        private readonly Dictionary<string, Person> _peopleByObjectId = new(Ids);
        private readonly Dictionary<string, Person> _peopleByUpn = new(Ids);
        private readonly HashSet<string> _privilegedGroupIds = new(Ids);
        private readonly HashSet<(string Resource, string AppRole)> _privilegedAppRoles = [];
        // Candidates in item order. A group membership (nearly all of a large campaign) is kept as a few references and
        // made into a Candidate only when it is checked or turned into its item: two million whole Candidates held at once
        // were most of the builder's memory.
        private readonly List<Slot> _candidates = [];
        // Keys hold references to the snapshot's own strings, so a million items add no key strings of their own.
        private readonly HashSet<(string User, AccessReviewAccessKind Kind, string Resource, string? Assignment, string? Through, AssignmentType How)> _seen = [];
        private readonly Dictionary<string, string> _notes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string[]> _singleReviewer = new(Ids);
        private readonly Dictionary<int, AccessReviewReason[]> _reasonSets = [];
        private readonly Dictionary<string, AccessReviewer> _reviewers = new(Ids);
        private readonly List<AccessReviewer> _named = [];
        private readonly List<AccessReviewer> _fallback = [];
        private readonly SortedSet<string> _gaps = new(StringComparer.Ordinal);
        private readonly List<string> _matched = [];
        private readonly Dictionary<SnapshotUser, (Person? Person, RoleDefinition? Role)> _personByUser = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<SnapshotGroup> _membersAdded = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<SnapshotUser, (IReadOnlyList<string> Ids, bool Fallback)> _reviewersByUser = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<SnapshotUser, (AccessReviewReason[] Reasons, AccessReviewRecommendation Recommendation, string Note)> _userVerdicts =
            new(ReferenceEqualityComparer.Instance);

        public Builder(string campaignId, AccessReviewDefinition definition, DirectoryIndex index, RoleCatalog catalog, IReadOnlyList<Person> people, DateTimeOffset now,
            GroupTagPolicy groupTags)
        {
            _groupTags = groupTags;
            _sponsorsKnown = index.Snapshot.SponsorsCollected;
            _campaignId = campaignId;
            _definition = definition;
            _scope = definition.Scope;
            _index = index;
            _catalog = catalog;
            _now = now;
            _signInsKnown = !index.Snapshot.IsMissing(EvidenceAreas.SignInActivity);
            foreach (Person person in people)
            {
                if (person.DirectoryObjectId is { Length: > 0 } id)
                {
                    _peopleByObjectId.TryAdd(id, person);
                }

                if (person.UserPrincipalName is { Length: > 0 } upn)
                {
                    _peopleByUpn.TryAdd(upn, person);
                }
            }
        }

        public AccessReviewContent Run()
        {
            if (_scope.IsEmpty)
            {
                throw new IsmsException("IsmsOps.AccessReview.NoScope", IsmsErrorKind.InvalidArgument,
                    $"The campaign '{_definition.Name}' names nothing to review.",
                    "Give at least one of -GroupName, -GroupTag, -GroupFilter, -PrivilegedDirectoryRole, -AppRoleAssignment, -Guest or -CatalogPrivileged.", _definition.Name);
            }

            // Tags and the filter are checked before the snapshot is searched: a typo fails as itself, not as an empty scope.
            _groupTags.RequireKnown(_scope.GroupTags);
            GroupFilter? filter = string.IsNullOrWhiteSpace(_scope.GroupFilter) ? null : GroupFilter.Parse(_scope.GroupFilter);
            ResolveNamedReviewers();
            IndexCatalogPrivileges();
            if (_scope.GroupNames.Count > 0)
            {
                AddGroups();
            }

            if (_scope.GroupTags.Count > 0)
            {
                AddTaggedGroups();
            }

            if (filter is not null)
            {
                AddFilteredGroups(filter);
            }

            if (_scope.PrivilegedDirectoryRoles)
            {
                AddDirectoryRoles();
            }

            if (_scope.AppRoleAssignments)
            {
                AddAppRoles();
            }

            if (_scope.Guests)
            {
                AddGuests();
            }

            if (_scope.CatalogPrivileged)
            {
                AddCatalogPrivileged();
            }

            if (_candidates.Count == 0)
            {
                throw new IsmsException("IsmsOps.AccessReview.EmptyScope", IsmsErrorKind.InvalidArgument,
                    $"The scope of campaign '{_definition.Name}' ({_scope.Describe()}) matches no access in the snapshot of tenant {_index.Snapshot.Tenant.TenantId} "
                    + $"collected {_index.Snapshot.CollectedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC: {string.Join("; ", _matched)}. Nothing was created.",
                    "Check the names and wildcards against the snapshot (Get-IsmsAccess shows what a user holds), or widen the scope.", _scope.Describe());
            }

            if (!_signInsKnown)
            {
                _gaps.Add("The snapshot holds no sign-in activity (signInActivity needs Entra ID P1 and AuditLog.Read.All): no item is recommended on inactivity.");
            }

            // Reviewers are chosen up front: every reviewer is known, and an item without one fails, before anything is stored.
            int unreviewed = 0;
            bool guestsMet = false;
            Candidate? first = null;
            foreach (Slot slot in _candidates)
            {
                // A membership whose user's reviewers are already chosen needs no Candidate made to check it.
                IReadOnlyList<string> reviewerIds;
                SnapshotUser user;
                if (slot.Full is null && _definition.Reviewers.Rule != AccessReviewerRule.ResourceOwner
                    && _reviewersByUser.TryGetValue(slot.User!, out (IReadOnlyList<string> Ids, bool Fallback) known))
                {
                    (reviewerIds, user) = (known.Ids, slot.User!);
                }
                else
                {
                    Candidate candidate = Materialize(slot);
                    (reviewerIds, user) = (candidate.ReviewerIds, candidate.User);
                }

                if (reviewerIds.Count == 0)
                {
                    unreviewed++;
                    first ??= Materialize(slot);
                }

                if (!_sponsorsKnown && IsGuest(user) && !guestsMet)
                {
                    guestsMet = true;
                    _gaps.Add("The snapshot holds no guest sponsors (it was written before IsmsOps collected them, or is scoped to one user): no guest is recommended for removal for lacking one (reason SponsorUnknown). A new snapshot collects them.");
                }
            }

            if (first is not null)
            {
                throw new IsmsException("IsmsOps.AccessReview.NoReviewer", IsmsErrorKind.InvalidArgument,
                    $"{unreviewed} item(s) of campaign '{_definition.Name}' have no reviewer under the rule {_definition.Reviewers.Rule} "
                    + $"(the first: {first.User.UserPrincipalName} on {first.ResourceName}{WhyNoReviewer(first)}), "
                    + (_fallback.Count == 0 ? "and no fallback reviewer was given" : "and the only fallback reviewer is that user, who cannot review their own access")
                    + ". Nothing was created.",
                    "Give -FallbackReviewer with one or more users (at least two, if a fallback may hold access under review) who take the items the rule leaves without a reviewer.",
                    _definition.Name);
            }

            return new AccessReviewContent(Items(), _candidates.Count, _reviewers.Values.OrderBy(r => r.UserPrincipalName, Ids).ToArray(), _gaps.ToArray());
        }

        private IEnumerable<AccessReviewItem> Items()
        {
            for (int i = 0; i < _candidates.Count; i++)
            {
                yield return Complete(Materialize(_candidates[i]), i + 1);
            }
        }

        // A whole Candidate with its reviewers chosen: the one kept, or a membership's made afresh (the same each time).
        private Candidate Materialize(Slot slot)
        {
            Candidate c;
            if (slot.Full is not null)
            {
                c = slot.Full;
                if (c.ReviewersChosen)
                {
                    return c;
                }
            }
            else
            {
                GroupFacts facts = slot.Group!;
                c = NewCandidate(slot.User!, facts.Group.Id, facts.Name, AccessReviewResourceKind.Group, AccessReviewAccessKind.GroupMembership);
                if (slot.Carrier is null)
                {
                    (RemovalPath removal, string? note, string? detail) = facts.Removal.For(slot.User!);
                    c.Assignment = AssignmentType.Direct;
                    c.Removal = removal;
                    c.RemovalNote = note;
                    c.StepKind = removal == RemovalPath.Graph ? OffboardingStepKind.RemoveGroupMembership : OffboardingStepKind.ManualTask;
                    c.Detail = detail;
                }
                else
                {
                    Inherit(c, slot.Carrier, "Member of nested group");
                }

                c.Privileged = facts.Privileged;
                c.Group = facts.Group;
            }

            (c.ReviewerIds, c.ByFallback) = ReviewersOf(c);
            c.ReviewersChosen = slot.Full is not null;
            return c;
        }

        private string WhyNoReviewer(Candidate c) => _definition.Reviewers.Rule switch
        {
            AccessReviewerRule.Manager => IsGuest(c.User) && c.User.ManagerId is null ? ": a guest with no manager and no sponsor in the snapshot"
                : c.User.ManagerId is null ? ": no manager is set" : ": the manager is not in the snapshot",
            AccessReviewerRule.ResourceOwner => c.ResourceKind == AccessReviewResourceKind.Group ? ": the group has no user owner but the principal" : $": a {c.ResourceKind} has no owner in the snapshot",
            _ => string.Empty,
        };

        private void ResolveNamedReviewers()
        {
            AccessReviewReviewers rule = _definition.Reviewers;
            if (rule.Rule == AccessReviewerRule.Named && rule.Named.Count == 0)
            {
                throw new IsmsException("IsmsOps.AccessReview.NoReviewer", IsmsErrorKind.InvalidArgument,
                    "The reviewer rule is Named, but no reviewer was named.", "Give -Reviewer with one or more user principal names or object ids, or -Reviewer Manager.");
            }

            foreach (string name in rule.Named)
            {
                _named.Add(Reviewer(Require(name, "-Reviewer"), fallback: false));
            }

            foreach (string name in rule.Fallback)
            {
                _fallback.Add(Reviewer(Require(name, "-FallbackReviewer"), fallback: true) with { IsFallback = true });
            }
        }

        private SnapshotUser Require(string idOrUpn, string parameter) => _index.FindUser(idOrUpn)
            ?? throw new IsmsException("IsmsOps.AccessReview.ReviewerNotFound", IsmsErrorKind.NotFound,
                $"The reviewer '{idOrUpn}' ({parameter}) is not a user in the snapshot of tenant {_index.Snapshot.Tenant.TenantId}. Nothing was created.",
                "Give the reviewer's user principal name or object id as the directory has it; a user newer than the snapshot needs a new snapshot.", idOrUpn);

        private AccessReviewer Reviewer(SnapshotUser user, bool fallback)
        {
            if (_reviewers.TryGetValue(user.Id, out AccessReviewer? known))
            {
                return known;
            }

            var reviewer = new AccessReviewer
            {
                ReviewerId = user.Id,
                UserPrincipalName = user.UserPrincipalName,
                DisplayName = user.DisplayName,
                Mail = user.Mail,
                IsFallback = fallback,
            };
            _reviewers[user.Id] = reviewer;
            return reviewer;
        }

        // Which groups and app roles the catalog's privileged roles grant: they make an item Privileged whatever the scope.
        private void IndexCatalogPrivileges()
        {
            foreach (RoleDefinition role in _catalog.Roles.Where(r => r.Privileged))
            {
                foreach (GroupReference reference in role.Groups)
                {
                    foreach (SnapshotGroup group in _index.Snapshot.Groups.Where(g => reference.Matches(RefOf(g))))
                    {
                        _privilegedGroupIds.Add(group.Id);
                    }
                }

                foreach (AppRoleReference reference in role.AppRoles)
                {
                    foreach (SnapshotServicePrincipal sp in _index.Snapshot.ServicePrincipals)
                    {
                        foreach (SnapshotAppRole appRole in sp.AppRoles.Where(r => reference.Matches(RefOf(sp, r.Id, r.Value))))
                        {
                            _privilegedAppRoles.Add((sp.Id.ToUpperInvariant(), appRole.Id.ToUpperInvariant()));
                        }
                    }
                }
            }
        }

        private void AddGroups()
        {
            var patterns = new NamePatternSet(_scope.GroupNames);
            SnapshotGroup[] groups = _index.Snapshot.Groups.Where(g => patterns.Matches(g.DisplayName) || patterns.Matches(g.Id)).ToArray();
            int before = _candidates.Count;
            foreach (SnapshotGroup group in groups)
            {
                AddMembersOf(group);
            }

            _matched.Add(Matched($"groups {string.Join(", ", _scope.GroupNames.Select(n => $"'{n}'"))}", groups.Length, "group", _candidates.Count - before));
        }

        // Each -GroupTag pattern is one part of the EmptyScope message: which tags it stood for and what they matched.
        private void AddTaggedGroups()
        {
            foreach (string pattern in _scope.GroupTags)
            {
                var groups = new List<SnapshotGroup>();
                var seen = new HashSet<string>(Ids);
                var described = new List<string>();
                foreach (string name in _groupTags.Resolve(pattern))
                {
                    IEnumerable<SnapshotGroup> tagged;
                    if (_groupTags.Find(name) is GroupTag tag)
                    {
                        tagged = _index.Snapshot.Groups.Where(tag.Matches);
                        described.Add($"'{tag.Name}' ({string.Join(", ", tag.Groups.Select(g => $"'{g}'"))} in {_groupTags.Source})");
                    }
                    else
                    {
                        tagged = _privilegedGroupIds.Select(id => _index.GroupById(id)).OfType<SnapshotGroup>();
                        described.Add($"'{GroupTagPolicy.Privileged}' (the groups of the role catalog's privileged roles)");
                    }

                    groups.AddRange(tagged.Where(g => seen.Add(g.Id)));
                }

                int before = _candidates.Count;
                foreach (SnapshotGroup group in groups)
                {
                    AddMembersOf(group);
                }

                _matched.Add(Matched($"groups tagged {string.Join(" or ", described)}", groups.Count, "group", _candidates.Count - before));
            }
        }

        private void AddFilteredGroups(GroupFilter filter)
        {
            SnapshotGroup[] groups = _index.Snapshot.Groups.Where(filter.Matches).ToArray();
            int before = _candidates.Count;
            foreach (SnapshotGroup group in groups)
            {
                AddMembersOf(group);
            }

            _matched.Add(Matched($"the group filter \"{filter.Text}\"", groups.Length, "group", _candidates.Count - before));
        }

        private static string Matched(string part, int resources, string noun, int items) =>
            resources == 0 ? $"{part} matched no {noun}" : string.Create(CultureInfo.InvariantCulture, $"{part} matched {resources} {noun}(s) holding {items} user(s)");

        // Direct user members, then users reached through nested groups (inherited through the group they are a direct
        // member of). Cycles end where a group was already visited. A group's memberships are added once however many
        // parts of the scope name it, and a user listed twice in one member list counts once, so membership items need
        // no entry in the campaign-wide duplicate set (which at two million items held two million keys).
        private void AddMembersOf(SnapshotGroup group)
        {
            if (!_membersAdded.Add(group))
            {
                return;
            }

            var facts = new GroupFacts(group, NameOf(group), group.IsAssignableToRole || _privilegedGroupIds.Contains(group.Id), new MembershipRemovalOf(group));
            var visited = new HashSet<string>(Ids) { group.Id };
            var queue = new Queue<SnapshotGroup>();
            var users = new HashSet<SnapshotUser>(ReferenceEqualityComparer.Instance);
            queue.Enqueue(group);
            while (queue.Count > 0)
            {
                SnapshotGroup carrier = queue.Dequeue();
                bool direct = ReferenceEquals(carrier, group);
                users.Clear();
                foreach (DirectoryObjectRef member in carrier.Members)
                {
                    if (member.Kind == DirectoryObjectKind.Group)
                    {
                        if (_index.GroupById(member.Id) is SnapshotGroup nested && visited.Add(nested.Id))
                        {
                            queue.Enqueue(nested);
                        }

                        continue;
                    }

                    if (member.Kind == DirectoryObjectKind.User && _index.UserById(member.Id) is SnapshotUser user && users.Add(user))
                    {
                        _candidates.Add(new Slot(null, user, facts, direct ? null : carrier));
                    }
                }
            }
        }

        private sealed record GroupFacts(SnapshotGroup Group, string Name, bool Privileged, MembershipRemovalOf Removal);

        private readonly record struct Slot(Candidate? Full, SnapshotUser? User, GroupFacts? Group, SnapshotGroup? Carrier);

        // How a direct member leaves a group: the same for every member but of an Exchange-managed group, whose note names
        // the user, so it is worked out once per group (the note and detail strings then shared by its members' items).
        private readonly struct MembershipRemovalOf
        {
            private readonly SnapshotGroup _group;
            private readonly RemovalPath _removal;
            private readonly string? _note;
            private readonly string? _detail;

            public MembershipRemovalOf(SnapshotGroup group)
            {
                _group = group;
                (RemovalPath removal, string note) = AccessInventory.MembershipRemoval(group, AnyUser);
                _removal = removal;
                _note = removal is RemovalPath.Graph or RemovalPath.ExchangeOnline ? null : note;
                _detail = removal == RemovalPath.Graph ? null : $"groupMembership; {removal}";
            }

            public (RemovalPath Removal, string? Note, string? Detail) For(SnapshotUser user) =>
                _removal == RemovalPath.ExchangeOnline ? (_removal, AccessInventory.MembershipRemoval(_group, user).Note, _detail) : (_removal, _note, _detail);

            // Only Exchange Online's note names the user; for every other path any user gives the same answer.
            private static SnapshotUser AnyUser { get; } = new() { Id = string.Empty, UserPrincipalName = string.Empty };
        }

        private void AddDirectoryRoles()
        {
            var patterns = new NamePatternSet(_scope.DirectoryRoleNames);
            int before = _candidates.Count;
            var roles = new HashSet<string>(Ids);
            foreach (SnapshotRoleAssignment role in _index.Snapshot.RoleAssignments)
            {
                SnapshotRoleDefinition? definition = _index.RoleDefinitionById(role.RoleDefinitionId);
                string name = definition?.DisplayName ?? role.RoleDefinitionId;
                if (!patterns.Matches(name) && !patterns.Matches(definition?.TemplateId) && !patterns.Matches(role.RoleDefinitionId))
                {
                    continue;
                }

                roles.Add(role.RoleDefinitionId);
                bool eligible = role.State == RoleAssignmentState.Eligible;
                if (_index.UserById(role.PrincipalId) is SnapshotUser user)
                {
                    Candidate c = NewCandidate(user, role.RoleDefinitionId, name, AccessReviewResourceKind.DirectoryRole, AccessReviewAccessKind.DirectoryRole);
                    c.Assignment = eligible ? AssignmentType.Eligible : AssignmentType.Direct;
                    c.StepKind = eligible ? OffboardingStepKind.RemoveEligibleDirectoryRole : OffboardingStepKind.RemoveDirectoryRole;
                    c.AssignmentId = role.Id;
                    c.Detail = OffboardingPlanner.RoleDetail(role);
                    c.Since = role.StartDateTime;
                    c.Removal = RemovalPath.Graph;
                    c.Privileged = true;
                    Add(c);
                }
                else if (_index.GroupById(role.PrincipalId) is SnapshotGroup group)
                {
                    // A role-assignable group cannot hold groups, so its direct members are everyone the role reaches.
                    foreach (DirectoryObjectRef member in group.Members.Where(m => m.Kind == DirectoryObjectKind.User))
                    {
                        if (_index.UserById(member.Id) is SnapshotUser holder)
                        {
                            Candidate c = NewCandidate(holder, role.RoleDefinitionId, name, AccessReviewResourceKind.DirectoryRole, AccessReviewAccessKind.DirectoryRole);
                            Inherit(c, group, $"Role {(eligible ? "eligibility" : "assignment")} of role-assignable");
                            c.Assignment = eligible ? AssignmentType.Eligible : AssignmentType.Inherited;
                            c.AssignmentId = role.Id;
                            c.Privileged = true;
                            Add(c);
                        }
                    }
                }
            }

            _matched.Add(Matched("directory roles" + (_scope.DirectoryRoleNames.Count == 0 ? "" : " " + string.Join(", ", _scope.DirectoryRoleNames.Select(n => $"'{n}'"))),
                roles.Count, "assigned role", _candidates.Count - before));
        }

        private void AddAppRoles()
        {
            var patterns = new NamePatternSet(_scope.ApplicationNames);
            int before = _candidates.Count;
            var apps = new HashSet<string>(Ids);
            foreach (SnapshotAppRoleAssignment app in _index.Snapshot.AppRoleAssignments)
            {
                SnapshotServicePrincipal? sp = _index.ServicePrincipalById(app.ResourceId);
                if (!patterns.Matches(sp?.DisplayName) && !patterns.Matches(sp?.AppId) && !patterns.Matches(app.ResourceId))
                {
                    continue;
                }

                apps.Add(app.ResourceId);
                AddAppRole(app, sp);
            }

            if (_scope.AppRoleAssignments)
            {
                _gaps.Add("A snapshot holds no application owners: with -Reviewer ResourceOwner, app role items go to the fallback reviewers.");
            }

            _matched.Add(Matched("app role assignments" + (_scope.ApplicationNames.Count == 0 ? "" : " of " + string.Join(", ", _scope.ApplicationNames.Select(n => $"'{n}'"))),
                apps.Count, "application", _candidates.Count - before));
        }

        private void AddAppRole(SnapshotAppRoleAssignment app, SnapshotServicePrincipal? sp)
        {
            string name = AccessInventory.AppRoleName(_index, app);
            bool privileged = _privilegedAppRoles.Contains((app.ResourceId.ToUpperInvariant(), app.AppRoleId.ToUpperInvariant()));
            if (_index.UserById(app.PrincipalId) is SnapshotUser user)
            {
                Candidate c = NewCandidate(user, app.ResourceId, name, AccessReviewResourceKind.Application, AccessReviewAccessKind.AppRole);
                c.Assignment = AssignmentType.Direct;
                c.StepKind = OffboardingStepKind.RemoveAppRoleAssignment;
                c.AssignmentId = app.Id;
                c.Since = app.CreatedDateTime;
                c.Removal = RemovalPath.Graph;
                c.Privileged = privileged;
                c.App = (sp, app.AppRoleId);
                Add(c);
            }
            else if (_index.GroupById(app.PrincipalId) is SnapshotGroup group)
            {
                // Entra ID passes an app role assignment on to a group's direct members only.
                foreach (DirectoryObjectRef member in group.Members.Where(m => m.Kind == DirectoryObjectKind.User))
                {
                    if (_index.UserById(member.Id) is SnapshotUser holder)
                    {
                        Candidate c = NewCandidate(holder, app.ResourceId, name, AccessReviewResourceKind.Application, AccessReviewAccessKind.AppRole);
                        Inherit(c, group, "Assigned to");
                        c.AssignmentId = app.Id;
                        c.Privileged = privileged;
                        c.App = (sp, app.AppRoleId);
                        Add(c);
                    }
                }
            }
        }

        private void AddGuests()
        {
            int before = _candidates.Count;
            string tenant = _index.Snapshot.Tenant.DisplayName ?? _index.Snapshot.Tenant.TenantId;
            foreach (SnapshotUser guest in _index.Snapshot.Users.Where(IsGuest))
            {
                Candidate c = NewCandidate(guest, _index.Snapshot.Tenant.TenantId, tenant, AccessReviewResourceKind.Tenant, AccessReviewAccessKind.GuestAccount);
                c.Assignment = AssignmentType.Direct;
                c.StepKind = OffboardingStepKind.DisableAccount;
                c.Removal = RemovalPath.Graph;
                c.Since = guest.CreatedDateTime;
                Add(c);
            }

            int guests = _candidates.Count - before;
            _matched.Add(guests == 0 ? "guests matched no guest account" : string.Create(CultureInfo.InvariantCulture, $"guests matched {guests} guest account(s)"));
        }

        private void AddCatalogPrivileged()
        {
            int before = _candidates.Count;
            foreach (string groupId in _privilegedGroupIds)
            {
                AddMembersOf(_index.GroupById(groupId)!);
            }

            foreach (SnapshotAppRoleAssignment app in _index.Snapshot.AppRoleAssignments)
            {
                if (_privilegedAppRoles.Contains((app.ResourceId.ToUpperInvariant(), app.AppRoleId.ToUpperInvariant())))
                {
                    AddAppRole(app, _index.ServicePrincipalById(app.ResourceId));
                }
            }

            int roles = _catalog.Roles.Count(r => r.Privileged);
            _matched.Add(roles == 0
                ? $"the role catalog ({_catalog.Source}) marks no role privileged"
                : string.Create(CultureInfo.InvariantCulture,
                    $"the catalog's {roles} privileged role(s) grant {_privilegedGroupIds.Count} group(s) and {_privilegedAppRoles.Count} app role(s) found in the snapshot, held by {_candidates.Count - before} user(s)"));
        }

        private static bool IsGuest(SnapshotUser user) => string.Equals(user.UserType, "Guest", StringComparison.OrdinalIgnoreCase);

        private static Candidate NewCandidate(SnapshotUser user, string resourceId, string resourceName, AccessReviewResourceKind resourceKind, AccessReviewAccessKind kind) => new()
        {
            User = user,
            ResourceId = resourceId,
            ResourceName = resourceName,
            ResourceKind = resourceKind,
            Kind = kind,
        };

        // Inherited access goes when the membership that carries it goes: the item names that group and is a person's
        // task (deny the membership of the carrying group, or change that group), never a second removal.
        private static void Inherit(Candidate c, SnapshotGroup through, string what)
        {
            c.Assignment = AssignmentType.Inherited;
            c.Through = through;
            c.Removal = RemovalPath.ViaGroup;
            c.StepKind = OffboardingStepKind.ManualTask;
            c.Detail = $"{c.Kind}; {RemovalPath.ViaGroup}";
            c.RemovalNote = $"{what} group '{NameOf(through)}'; goes when the user leaves that group.";
        }

        private void Add(Candidate c)
        {
            if (_seen.Add((c.User.Id, c.Kind, c.ResourceId, c.AssignmentId, c.Through?.Id, c.Assignment)))
            {
                _candidates.Add(new Slot(c, null, null, null));
            }
        }

        private AccessReviewItem Complete(Candidate c, long itemId)
        {
            SnapshotUser user = c.User;
            (Person? person, RoleDefinition? role) = PersonOf(user);
            DateTimeOffset? lastSignIn = user.SignInActivity?.Latest;
            AccessReviewReason[] shared;
            AccessReviewRecommendation recommendation;
            string note;
            // Without a role that judges this access, the verdict is the user's alone: worked out once per user, not per item.
            bool judgedByRole = role is not null && c.Kind is AccessReviewAccessKind.GroupMembership or AccessReviewAccessKind.AppRole;
            if (!judgedByRole && _userVerdicts.TryGetValue(user, out var known))
            {
                (shared, recommendation, note) = known;
            }
            else
            {
                (shared, recommendation, note) = Verdict(c, person, role, judgedByRole, lastSignIn);
                if (!judgedByRole)
                {
                    _userVerdicts[user] = (shared, recommendation, note);
                }
            }

            return new AccessReviewItem
            {
                CampaignId = _campaignId,
                ItemId = itemId,
                PrincipalId = user.Id,
                PrincipalName = user.UserPrincipalName,
                PrincipalDisplayName = user.DisplayName,
                IsGuest = IsGuest(user),
                PersonId = person?.PersonId,
                ResourceId = c.ResourceId,
                ResourceDisplayName = c.ResourceName,
                ResourceKind = c.ResourceKind,
                AccessKind = c.Kind,
                Assignment = c.Assignment,
                InheritedFromGroupId = c.Through?.Id,
                InheritedFromGroupName = c.Through is null ? null : NameOf(c.Through),
                Since = c.Since,
                LastSignIn = lastSignIn,
                Recommendation = recommendation,
                Reasons = shared,
                RecommendationNote = note,
                ReviewerIds = c.ReviewerIds,
                ReviewedByFallback = c.ByFallback,
                Privileged = c.Privileged,
                RemovalStepKind = c.StepKind,
                AssignmentId = c.AssignmentId,
                RemovalDetail = c.Detail,
                Removal = c.Removal,
                RemovalNote = c.RemovalNote is null ? null : Intern(c.RemovalNote),
            };
        }

        private (Person? Person, RoleDefinition? Role) PersonOf(SnapshotUser user)
        {
            if (_peopleByObjectId.Count == 0 && _peopleByUpn.Count == 0)
            {
                return (null, null);
            }

            if (!_personByUser.TryGetValue(user, out (Person? Person, RoleDefinition? Role) found))
            {
                Person? person = _peopleByObjectId.GetValueOrDefault(user.Id) ?? _peopleByUpn.GetValueOrDefault(user.UserPrincipalName);
                _personByUser[user] = found = (person, person?.JobRole is string jobRole ? _catalog.Find(jobRole) : null);
            }

            return found;
        }

        // The item's reasons (a shared array per combination), its recommendation and the note that says why.
        private (AccessReviewReason[] Reasons, AccessReviewRecommendation Recommendation, string Note) Verdict(Candidate c, Person? person, RoleDefinition? role,
            bool judgedByRole, DateTimeOffset? lastSignIn)
        {
            SnapshotUser user = c.User;
            var reasons = new List<AccessReviewReason>();
            if (!_signInsKnown)
            {
                reasons.Add(AccessReviewReason.SignInUnknown);
            }
            else if (lastSignIn is null)
            {
                reasons.Add(AccessReviewReason.NeverSignedIn);
            }
            else if (lastSignIn < _now.AddDays(-_definition.InactiveDays))
            {
                reasons.Add(AccessReviewReason.NoRecentSignIn);
            }
            else
            {
                reasons.Add(AccessReviewReason.SignedInRecently);
            }

            if (person?.Status == PersonStatus.Left)
            {
                reasons.Add(AccessReviewReason.PersonLeft);
            }
            else if (person?.Status == PersonStatus.Leaving)
            {
                reasons.Add(AccessReviewReason.PersonLeaving);
            }

            if (judgedByRole)
            {
                reasons.Add(IsBirthright(role!, c) ? AccessReviewReason.WithinBirthright : AccessReviewReason.OutsideBirthright);
                if (ConflictsWith(role!, c) is SegregationOfDutiesViolation violation)
                {
                    reasons.Add(AccessReviewReason.SegregationOfDutiesConflict);
                    c.Conflict = violation.ToString();
                }
            }

            if (IsGuest(user))
            {
                // An older snapshot holds no sponsors: say so rather than call every guest unsponsored.
                if (!_sponsorsKnown)
                {
                    reasons.Add(AccessReviewReason.SponsorUnknown);
                }
                else if (user.SponsorIds.Count == 0)
                {
                    reasons.Add(AccessReviewReason.GuestWithoutSponsor);
                }
                else if (!user.SponsorIds.Any(IsActiveSponsor))
                {
                    reasons.Add(AccessReviewReason.SponsorInactive);
                }
            }

            AccessReviewRecommendation recommendation =
                reasons.Any(r => r is AccessReviewReason.NoRecentSignIn or AccessReviewReason.NeverSignedIn or AccessReviewReason.PersonLeft
                    or AccessReviewReason.PersonLeaving or AccessReviewReason.SegregationOfDutiesConflict or AccessReviewReason.GuestWithoutSponsor
                    or AccessReviewReason.SponsorInactive)
                    ? AccessReviewRecommendation.Deny
                : reasons.Contains(AccessReviewReason.OutsideBirthright) ? AccessReviewRecommendation.None
                : reasons.Any(r => r is AccessReviewReason.SignedInRecently or AccessReviewReason.WithinBirthright) ? AccessReviewRecommendation.Approve
                : AccessReviewRecommendation.None;
            return (Shared(reasons), recommendation, Intern(Words(reasons, lastSignIn, person, role, c)));
        }

        // A sponsor answers for a guest while it can: a user whose account is enabled and who is not a person who has
        // Left, or a group the directory still holds (its members are not asked, but someone owns the relationship).
        private bool IsActiveSponsor(string sponsorId) =>
            _index.UserById(sponsorId) is SnapshotUser sponsor ? CanAnswerFor(sponsor) : _index.GroupById(sponsorId) is not null;

        private bool CanAnswerFor(SnapshotUser sponsor) => sponsor.AccountEnabled && PersonOf(sponsor).Person?.Status != PersonStatus.Left;

        private (IReadOnlyList<string> Ids, bool Fallback) ReviewersOf(Candidate c)
        {
            // Under the Manager and Named rules the reviewers depend on the user alone: chosen once per user.
            if (_definition.Reviewers.Rule != AccessReviewerRule.ResourceOwner)
            {
                if (!_reviewersByUser.TryGetValue(c.User, out (IReadOnlyList<string> Ids, bool Fallback) known))
                {
                    _reviewersByUser[c.User] = known = ChooseReviewers(c);
                }

                return known;
            }

            return ChooseReviewers(c);
        }

        private (IReadOnlyList<string> Ids, bool Fallback) ChooseReviewers(Candidate c)
        {
            List<AccessReviewer> chosen = _definition.Reviewers.Rule switch
            {
                AccessReviewerRule.Manager => c.User.ManagerId is string manager && _index.UserById(manager) is SnapshotUser m ? [Reviewer(m, false)]
                    // A guest's sponsors stand where a member's manager would: the users answerable for the guest.
                    : IsGuest(c.User) ? c.User.SponsorIds.Select(_index.UserById).OfType<SnapshotUser>().Where(CanAnswerFor).Select(u => Reviewer(u, false)).ToList()
                    : [],
                AccessReviewerRule.ResourceOwner => c.ResourceKind == AccessReviewResourceKind.Group && _index.GroupById(c.ResourceId) is SnapshotGroup g
                    ? g.Owners.Where(o => o.Kind == DirectoryObjectKind.User).Select(o => _index.UserById(o.Id)).OfType<SnapshotUser>().Select(u => Reviewer(u, false)).ToList()
                    : [],
                _ => _named,
            };

            // Nobody reviews their own access: a group owner who is also a member leaves that item to the others or the fallback.
            chosen = chosen.Where(r => !Ids.Equals(r.ReviewerId, c.User.Id)).ToList();
            if (chosen.Count == 1)
            {
                // Most items have one reviewer (a manager): share one array per reviewer across their items.
                string id = chosen[0].ReviewerId;
                if (!_singleReviewer.TryGetValue(id, out string[]? one))
                {
                    _singleReviewer[id] = one = [id];
                }

                return (one, false);
            }

            if (chosen.Count > 0)
            {
                return (chosen.Select(r => r.ReviewerId).ToArray(), false);
            }

            List<AccessReviewer> fallback = _fallback.Where(r => !Ids.Equals(r.ReviewerId, c.User.Id)).ToList();
            return (fallback.Select(r => r.ReviewerId).ToArray(), fallback.Count > 0);
        }

        private bool IsBirthright(RoleDefinition role, Candidate c)
        {
            if (c.Kind == AccessReviewAccessKind.GroupMembership)
            {
                return role.Groups.Any(g => g.Matches(RefOf(c.Group!))) || (c.Through is not null && role.Groups.Any(g => g.Matches(RefOf(c.Through))));
            }

            if (c.Through is not null && role.Groups.Any(g => g.Matches(RefOf(c.Through))))
            {
                return true;
            }

            return c.App is ({ } sp, string appRoleId) && role.AppRoles.Any(a => a.Matches(RefOf(sp, appRoleId, ValueOf(sp, appRoleId))));
        }

        // The catalog's own check, asked about this one group or app role as held directly by the role's holder.
        private SegregationOfDutiesViolation? ConflictsWith(RoleDefinition role, Candidate c)
        {
            IReadOnlyList<SegregationOfDutiesViolation> violations = c.Kind == AccessReviewAccessKind.GroupMembership
                ? _catalog.CheckSegregationOfDuties([role.Id], groups: [RefOf(c.Group!)])
                : c.App is ({ } sp, string appRoleId)
                    ? _catalog.CheckSegregationOfDuties([role.Id], appRoles: [RefOf(sp, appRoleId, ValueOf(sp, appRoleId))])
                    : [];
            return violations.FirstOrDefault(v => v.Via is null);
        }

        private string Words(List<AccessReviewReason> reasons, DateTimeOffset? lastSignIn, Person? person, RoleDefinition? role, Candidate c) =>
            string.Join(" ", reasons.Select(reason => reason switch
            {
                AccessReviewReason.SignedInRecently => $"Signed in {lastSignIn!.Value.UtcDateTime:yyyy-MM-dd}, within {_definition.InactiveDays} days.",
                AccessReviewReason.NoRecentSignIn => string.Create(CultureInfo.InvariantCulture,
                    $"No sign-in for {(int)(_now - lastSignIn!.Value).TotalDays} days (last {lastSignIn.Value.UtcDateTime:yyyy-MM-dd}; the limit is {_definition.InactiveDays})."),
                AccessReviewReason.NeverSignedIn => "Never signed in.",
                AccessReviewReason.SignInUnknown => "Sign-in activity unknown (not in the snapshot).",
                AccessReviewReason.PersonLeft => $"Person {person!.PersonId} has Left.",
                AccessReviewReason.PersonLeaving => $"Person {person!.PersonId} is Leaving" + (person.EndDate is DateTime end ? $" (end date {end:yyyy-MM-dd})." : "."),
                AccessReviewReason.OutsideBirthright => $"Not part of the birthright of role '{role!.Id}'.",
                AccessReviewReason.WithinBirthright => $"Birthright of role '{role!.Id}'.",
                AccessReviewReason.SegregationOfDutiesConflict => $"Segregation of duties: {c.Conflict}.",
                AccessReviewReason.GuestWithoutSponsor => "Guest with no sponsor.",
                AccessReviewReason.SponsorUnknown => "Guest; sponsors unknown (not in the snapshot).",
                AccessReviewReason.SponsorInactive => "Guest whose sponsors are all disabled, Left or gone from the directory.",
                _ => reason.ToString(),
            }));

        // Reasons are added in a fixed order, so the set of them names the list: one shared array per combination.
        private AccessReviewReason[] Shared(List<AccessReviewReason> reasons)
        {
            int key = 0;
            foreach (AccessReviewReason reason in reasons)
            {
                key |= 1 << (int)reason;
            }

            if (!_reasonSets.TryGetValue(key, out AccessReviewReason[]? shared))
            {
                _reasonSets[key] = shared = reasons.ToArray();
            }

            return shared;
        }

        // Notes repeat (the same sign-in day, the same role): keep one copy of each.
        private string Intern(string note)
        {
            if (!_notes.TryGetValue(note, out string? known))
            {
                _notes[note] = known = note;
            }

            return known;
        }

        private static GroupReference RefOf(SnapshotGroup group) =>
            new(Guid.TryParse(group.Id, out Guid id) ? id : null, group.DisplayName);

        private static AppRoleReference RefOf(SnapshotServicePrincipal sp, string appRoleId, string? value) =>
            new(Guid.TryParse(sp.AppId, out Guid appId) ? appId : null, Guid.TryParse(sp.Id, out Guid spId) ? spId : null, value,
                Guid.TryParse(appRoleId, out Guid roleId) ? roleId : null, sp.DisplayName);

        private static string? ValueOf(SnapshotServicePrincipal sp, string appRoleId) =>
            sp.AppRoles.FirstOrDefault(r => string.Equals(r.Id, appRoleId, StringComparison.OrdinalIgnoreCase))?.Value;

        private static string NameOf(SnapshotGroup group) => group.DisplayName ?? group.Id;
    }

    private sealed class Candidate
    {
        public required SnapshotUser User { get; init; }

        public required string ResourceId { get; init; }

        public required string ResourceName { get; init; }

        public required AccessReviewResourceKind ResourceKind { get; init; }

        public required AccessReviewAccessKind Kind { get; init; }

        public AssignmentType Assignment { get; set; }

        public SnapshotGroup? Through { get; set; }

        public SnapshotGroup? Group { get; set; }

        public (SnapshotServicePrincipal? Sp, string AppRoleId)? App { get; set; }

        public DateTimeOffset? Since { get; set; }

        public string? AssignmentId { get; set; }

        public OffboardingStepKind StepKind { get; set; } = OffboardingStepKind.ManualTask;

        public string? Detail { get; set; }

        public RemovalPath Removal { get; set; }

        public string? RemovalNote { get; set; }

        public bool Privileged { get; set; }

        public string? Conflict { get; set; }

        public IReadOnlyList<string> ReviewerIds { get; set; } = [];

        public bool ByFallback { get; set; }

        public bool ReviewersChosen { get; set; }
    }
}

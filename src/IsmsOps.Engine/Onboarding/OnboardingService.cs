using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Screening;

namespace IsmsOps.Engine.Onboarding;

/// <summary>
/// One joiner, from register entry to working account: resolve the person's role in the catalog, plan the steps (link
/// or create the account, manager and attributes, the role's birthright groups, licences and app roles, optionally a
/// Temporary Access Pass), store the plan as a case, ask the screening gate, and run what the gate allows.
/// </summary>
/// <remarks>
/// The gate: birthright access waits until screening at the level the role requires for the person's Location is
/// Cleared or validly Waived (<see cref="ScreeningRegister.CheckClearanceAsync"/>). The minimal baseline (the account,
/// its manager and attributes, and the pass) may go first when the role sets <c>baselineBeforeClearance</c>; otherwise
/// it waits too (linking an existing account grants nothing and always happens). Every run audits the gate's decision.
/// Held-back steps stay Pending with the gate's reason; running again after clearance grants them. Every step is
/// idempotent (an existing membership or assignment counts as done), so running a finished case changes nothing.
/// </remarks>
public sealed class OnboardingService
{
    private const int PassLifetimeMinutes = 480;

    private readonly IsmsWorkspace _workspace;
    private readonly RoleCatalog _roles;
    private readonly GraphWriter _graph;
    private readonly string _baseUrl;
    private readonly Func<DateTimeOffset> _clock;

    /// <param name="workspace">The store with the people, screening and onboarding registers.</param>
    /// <param name="roles">The role catalog a person's JobRole is resolved in.</param>
    /// <param name="connection">The Graph connection the steps run through.</param>
    /// <param name="options">Batch size and retries.</param>
    /// <param name="clock">The instant the screening gate is asked about (now by default).</param>
    public OnboardingService(IsmsWorkspace workspace, RoleCatalog roles, GraphConnection connection, GraphReaderOptions? options = null, Func<DateTimeOffset>? clock = null)
    {
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(roles);
        ArgumentNullException.ThrowIfNull(connection);
        _workspace = workspace;
        _roles = roles;
        _graph = new GraphWriter(connection, options);
        _baseUrl = connection.GraphEndpoint.TrimEnd('/');
    }

    /// <summary>HTTP requests sent to Graph so far ($batch counts once).</summary>
    public long RequestCount => _graph.RequestCount;

    /// <summary>The person's role, or a clear refusal: no JobRole (IsmsOps.Onboarding.NoRole), or one the catalog lacks (IsmsOps.Onboarding.UnknownRole).</summary>
    public RoleDefinition RoleOf(Person person)
    {
        ArgumentNullException.ThrowIfNull(person);
        if (string.IsNullOrWhiteSpace(person.JobRole))
        {
            throw new IsmsException("IsmsOps.Onboarding.NoRole", IsmsErrorKind.InvalidArgument,
                $"Person '{person.PersonId}' has no JobRole, so there is no role to onboard them into. Nothing was changed.",
                $"Set one with Set-IsmsPerson -PersonId {person.PersonId} -JobRole <role id> (Get-IsmsRole lists them).", person.PersonId);
        }

        try
        {
            return _roles.ResolveJobRole(person.JobRole);
        }
        catch (IsmsException unknown) when (unknown.ErrorId is "IsmsOps.Role.NotFound" or "IsmsOps.Role.Ambiguous")
        {
            throw new IsmsException("IsmsOps.Onboarding.UnknownRole", IsmsErrorKind.InvalidArgument,
                $"Person '{person.PersonId}' has JobRole '{person.JobRole}', which the role catalog ({_roles.Source}) does not define unambiguously: {unknown.Message} Nothing was changed.",
                $"Correct the person's JobRole (Set-IsmsPerson -PersonId {person.PersonId} -JobRole <id>; Get-IsmsRole lists the ids), or add the role to policies/roles.",
                person.PersonId);
        }
    }

    /// <summary>The screening gate for <paramref name="person"/> in <paramref name="role"/>: the level the role asks for at their location, checked at <paramref name="at"/>.</summary>
    internal Task<ScreeningClearance> ClearanceAsync(Person person, RoleDefinition role, DateTimeOffset at, CancellationToken cancellationToken) =>
        _workspace.Screening.CheckClearanceAsync(person.PersonId, role.ScreeningLevelFor(person.Location), at, cancellationToken);

    /// <summary>
    /// The steps onboarding <paramref name="personId"/> would run, read live and changing nothing (what -WhatIf shows).
    /// For a person who already has a case, that case's steps.
    /// </summary>
    public async Task<(Person Person, RoleDefinition Role, OnboardingCase? Existing, IReadOnlyList<OnboardingStep> Steps, string? UserId)> PlanAsync(
        string personId, bool issueTemporaryAccessPass, CancellationToken cancellationToken)
    {
        Person person = await _workspace.People.GetAsync(personId, cancellationToken).ConfigureAwait(false);
        RoleDefinition role = RoleOf(person);
        OnboardingCase? existing = (await _workspace.Onboarding.FindAsync(new OnboardingCaseQuery { PersonId = person.PersonId }, cancellationToken).ConfigureAwait(false))
            .FirstOrDefault();
        if (existing is not null)
        {
            return (person, role, existing, issueTemporaryAccessPass && PassStepFor(existing) is OnboardingStep added ? [.. existing.Steps, added] : existing.Steps,
                existing.UserId);
        }

        (IReadOnlyList<OnboardingStep> steps, string? userId) = await PlanStepsAsync(person, role, issueTemporaryAccessPass, cancellationToken).ConfigureAwait(false);
        return (person, role, null, steps, userId);
    }

    /// <summary>
    /// The pass step to add to <paramref name="existing"/> when a later run asks for a Temporary Access Pass: one, at
    /// the end, when the case has no pass step at all; null when it has one (still to issue, failed, or issued). A case
    /// never holds two passes: Entra keeps one pass per user, and one already issued is not replaced behind the admin's back.
    /// </summary>
    private static OnboardingStep? PassStepFor(OnboardingCase existing) =>
        existing.Steps.Any(s => s.Kind == OnboardingStepKind.IssueTemporaryAccessPass) ? null
            : new OnboardingStep
            {
                Sequence = existing.Steps.Count == 0 ? 1 : existing.Steps.Max(s => s.Sequence) + 1,
                Kind = OnboardingStepKind.IssueTemporaryAccessPass,
                ResourceDisplayName = "Temporary Access Pass",
                Baseline = true,
            };

    /// <summary>
    /// Plans (first time) or carries on (later runs) the person's onboarding, asks the gate, runs what it allows, and
    /// returns the stored case and, when a Temporary Access Pass was issued in this run, the pass (shown once, never stored).
    /// Asked for a pass on a later run of a case that has no pass step (the first run was blocked, or the switch was
    /// left out), it adds one to the case (audited as Onboarding.StepAdded), reopening a completed case; a run issues
    /// at most one pass.
    /// </summary>
    public async Task<OnboardingOutcome> StartAsync(string personId, bool issueTemporaryAccessPass, OperationContext context, CancellationToken cancellationToken)
    {
        (Person person, RoleDefinition role, OnboardingCase? existing, IReadOnlyList<OnboardingStep> steps, string? userId) =
            await PlanAsync(personId, issueTemporaryAccessPass, cancellationToken).ConfigureAwait(false);
        OnboardingRegister register = _workspace.Onboarding;
        OnboardingCase current = existing ?? await register.CreateAsync(person.PersonId, role.Id, userId, userId is null ? person.UserPrincipalName : null, steps,
            context, cancellationToken).ConfigureAwait(false);
        if (existing is not null && steps.Count > existing.Steps.Count)
        {
            current = await register.AddStepAsync(current.CaseId, steps[^1], context, cancellationToken).ConfigureAwait(false);
        }

        if (current.Status == OnboardingCaseStatus.Completed && current.Steps.All(s => s.IsSettled))
        {
            return new OnboardingOutcome(current, null, null, null);
        }

        if (!string.Equals(current.RoleId, role.Id, StringComparison.OrdinalIgnoreCase))
        {
            current = await SkipGrantsOfFormerRoleAsync(current, role, context, cancellationToken).ConfigureAwait(false);
        }

        // The gate, asked afresh on every run: a screening may have cleared, or a waiver expired, since the last one.
        ScreeningClearance clearance = await ClearanceAsync(person, role, _clock(), cancellationToken).ConfigureAwait(false);
        ScreeningLevel level = clearance.Level;
        bool baselineAllowed = clearance.Allowed || role.BaselineBeforeScreening;
        current = await register.RecordGateAsync(current.CaseId, role.Id, person.Location, clearance, baselineAllowed, context, cancellationToken).ConfigureAwait(false);

        string blocked = $"Waiting for {level} screening ({(role.BaselineBeforeScreening ? "birthright access" : "role " + role.Id + " allows nothing")} before clearance): {clearance.Reason}";
        bool Allowed(OnboardingStep s) => s.Kind == OnboardingStepKind.LinkAccount || (s.Baseline ? baselineAllowed : clearance.Allowed);

        // Steps the gate holds back keep their Pending status, with the gate's reason.
        List<OnboardingStep> held = current.Steps.Where(s => !s.IsSettled && !Allowed(s)).Select(s => s with { Reason = blocked }).ToList();
        if (held.Count > 0)
        {
            current = await register.RecordAsync(current.CaseId, held, null, null, context, cancellationToken).ConfigureAwait(false);
        }

        string? pass = null;
        DateTimeOffset? passStart = null;

        // 1. The account: link or create, recorded at once so a crash never creates it twice.
        foreach (OnboardingStep step in current.Steps.Where(s => !s.IsSettled && Allowed(s) && s.Kind is OnboardingStepKind.LinkAccount or OnboardingStepKind.CreateAccount).ToList())
        {
            (OnboardingStep settled, string? id) = step.Kind == OnboardingStepKind.LinkAccount
                ? (step with { Status = OnboardingStepStatus.Done, Attempts = step.Attempts + 1, Reason = null, CompletedAt = DateTimeOffset.UtcNow }, step.ResourceId)
                : await CreateAccountAsync(person, step, cancellationToken).ConfigureAwait(false);
            current = await register.RecordAsync(current.CaseId, [settled], id, null, context, cancellationToken).ConfigureAwait(false);
            if (id is not null && !string.Equals(person.DirectoryObjectId, id, StringComparison.OrdinalIgnoreCase))
            {
                person = await _workspace.People.UpdateAsync(person.PersonId, p => p with { DirectoryObjectId = id }, null, context, cancellationToken).ConfigureAwait(false);
            }
        }

        if (current.UserId is string user)
        {
            // 2. Attributes and manager, then the grants: each a fully parallel $batch. Two batches, because a licence
            // needs the usage location the attributes set, and Graph runs one batch's items in no promised order.
            foreach (bool baseline in new[] { true, false })
            {
                List<OnboardingStep> runnable = current.Steps
                    .Where(s => !s.IsSettled && Allowed(s) && s.Baseline == baseline
                        && s.Kind is not (OnboardingStepKind.LinkAccount or OnboardingStepKind.CreateAccount or OnboardingStepKind.IssueTemporaryAccessPass))
                    .ToList();
                if (runnable.Count > 0)
                {
                    GraphWriteResult[] answers = await _graph.SendBatchAsync(runnable.Select(s => WriteFor(s, user, person)).ToList(), cancellationToken).ConfigureAwait(false);
                    List<OnboardingStep> settled = runnable.Select((s, i) => BirthrightAccess.Settle(s, answers[i], WriteFor(s, user, person))).ToList();
                    current = await register.RecordAsync(current.CaseId, settled, null, null, context, cancellationToken).ConfigureAwait(false);
                }
            }

            // 3. The pass, last, and only when the rest of the baseline is in place.
            if (current.Steps.FirstOrDefault(s => s.Kind == OnboardingStepKind.IssueTemporaryAccessPass && !s.IsSettled && Allowed(s)) is OnboardingStep tap)
            {
                var write = new GraphWrite(GraphOperation.IssueTemporaryAccessPass, HttpMethod.Post, $"/users/{Uri.EscapeDataString(user)}/authentication/temporaryAccessPassMethods",
                    new JsonObject { ["lifetimeInMinutes"] = PassLifetimeMinutes, ["isUsableOnce"] = false });
                GraphWriteResult answer = await _graph.SendAsync(write, cancellationToken).ConfigureAwait(false);
                if (answer.Succeeded && answer.Body is string body)
                {
                    using JsonDocument document = JsonDocument.Parse(body);
                    pass = document.RootElement.TryGetProperty("temporaryAccessPass", out JsonElement p) ? p.GetString() : null;
                    passStart = document.RootElement.TryGetProperty("startDateTime", out JsonElement s) && s.TryGetDateTimeOffset(out DateTimeOffset start) ? start : null;
                }

                current = await register.RecordAsync(current.CaseId, [BirthrightAccess.Settle(tap, answer, write)], null, null, context, cancellationToken).ConfigureAwait(false);
            }
        }

        OnboardingCaseStatus status = current.Steps.All(s => s.IsSettled) ? OnboardingCaseStatus.Completed
            : current.Steps.Any(s => s.Status == OnboardingStepStatus.Failed) ? OnboardingCaseStatus.Failed
            : current.Steps.Any(s => !s.IsSettled && Allowed(s)) ? OnboardingCaseStatus.Open
            : OnboardingCaseStatus.Blocked;
        current = await register.RecordAsync(current.CaseId, [], null, status, context, cancellationToken).ConfigureAwait(false);
        return new OnboardingOutcome(current, pass, passStart, pass is null ? null : PassLifetimeMinutes);
    }

    // The person moved before onboarding finished: the old role's held-back grants must never be made now. The mover
    // case grants the new role's access (and removes whatever of the old role's was granted).
    private async Task<OnboardingCase> SkipGrantsOfFormerRoleAsync(OnboardingCase current, RoleDefinition role, OperationContext context, CancellationToken cancellationToken)
    {
        Movers.MoverCase? move = (await _workspace.Movers.FindAsync(new Movers.MoverCaseQuery { PersonId = current.PersonId }, cancellationToken).ConfigureAwait(false))
            .FirstOrDefault();
        string reason = $"The person moved from role {current.RoleId} to {role.Id}" + (move is null ? "; grants of the former role are not made." : $" (mover case {move.CaseId}), which grants the new role's access.");
        List<OnboardingStep> skipped = current.Steps.Where(s => !s.IsSettled && !s.Baseline)
            .Select(s => s with { Status = OnboardingStepStatus.Skipped, Reason = reason, CompletedAt = DateTimeOffset.UtcNow }).ToList();
        return skipped.Count == 0 ? current : await _workspace.Onboarding.RecordAsync(current.CaseId, skipped, null, null, context, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(OnboardingStep Step, string? UserId)> CreateAccountAsync(Person person, OnboardingStep step, CancellationToken cancellationToken)
    {
        string upn = person.UserPrincipalName!;
        // A random first password nobody learns: the joiner signs in with a Temporary Access Pass or a reset.
        string password = RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", 20) + "!7a";
        var body = new JsonObject
        {
            ["accountEnabled"] = true,
            ["displayName"] = person.DisplayName,
            ["mailNickname"] = upn[..upn.IndexOf('@', StringComparison.Ordinal)],
            ["userPrincipalName"] = upn,
            ["passwordProfile"] = new JsonObject { ["password"] = password, ["forceChangePasswordNextSignIn"] = true },
        };
        if (person.Location is { Length: 2 } country)
        {
            body["usageLocation"] = country.ToUpperInvariant();
        }

        if (person.Department is string department)
        {
            body["department"] = department;
        }

        var write = new GraphWrite(GraphOperation.CreateUser, HttpMethod.Post, "/users", body);
        GraphWriteResult answer = await _graph.SendAsync(write, cancellationToken).ConfigureAwait(false);
        if (answer.Succeeded && answer.Body is string created)
        {
            using JsonDocument document = JsonDocument.Parse(created);
            return (BirthrightAccess.Settle(step, answer, write), document.RootElement.GetProperty("id").GetString());
        }

        // Created by an earlier run whose answer was lost: the account with this UPN is the one to link.
        if (answer.Status == 400 && answer.Message?.Contains("already exists", StringComparison.OrdinalIgnoreCase) == true
            && await FindUserAsync(upn, cancellationToken).ConfigureAwait(false) is string existing)
        {
            return (step with { Status = OnboardingStepStatus.Done, Attempts = step.Attempts + answer.Attempts, GraphRequestId = answer.RequestId, Reason = "The account already existed; linked.", CompletedAt = DateTimeOffset.UtcNow }, existing);
        }

        return (BirthrightAccess.Settle(step, answer, write), null);
    }

    private GraphWrite WriteFor(OnboardingStep step, string user, Person person)
    {
        string u = Uri.EscapeDataString(user);
        return step.Kind switch
        {
            OnboardingStepKind.SetAttributes => new GraphWrite(GraphOperation.SetUserAttributes, HttpMethod.Patch, $"/users/{u}", Compact(new JsonObject
            {
                ["employeeId"] = person.PersonId,
                ["usageLocation"] = person.Location is { Length: 2 } country ? country.ToUpperInvariant() : null,
                ["employeeHireDate"] = person.StartDate is DateTime start ? DateTime.SpecifyKind(start.Date, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) : null,
            })),
            OnboardingStepKind.SetManager => new GraphWrite(GraphOperation.SetManager, HttpMethod.Put, $"/users/{u}/manager/$ref",
                new JsonObject { ["@odata.id"] = $"{_baseUrl}/users/{step.ResourceId}" }),
            OnboardingStepKind.AddGroupMember or OnboardingStepKind.AssignLicense or OnboardingStepKind.AssignAppRole => BirthrightAccess.GrantWrite(step, user, _baseUrl),
            _ => throw new InvalidOperationException($"Step kind {step.Kind} is not sent in a batch."),
        };
    }

    // What the register does not know is left out rather than sent as null, which would clear what the directory holds.
    private static JsonObject Compact(JsonObject body)
    {
        foreach (string name in body.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            body.Remove(name);
        }

        return body;
    }

    private async Task<string?> FindUserAsync(string idOrUpn, CancellationToken cancellationToken)
    {
        GraphWriteResult answer = await _graph.SendAsync(new GraphWrite(GraphOperation.ReadUsers, HttpMethod.Get, $"/users/{Uri.EscapeDataString(idOrUpn)}?$select=id"),
            cancellationToken).ConfigureAwait(false);
        if (answer.Status == 404)
        {
            return null;
        }

        if (!answer.Succeeded || answer.Body is null)
        {
            throw answer.ToException(new GraphWrite(GraphOperation.ReadUsers, HttpMethod.Get, $"/users/{idOrUpn}"));
        }

        using JsonDocument document = JsonDocument.Parse(answer.Body);
        return document.RootElement.GetProperty("id").GetString();
    }

    // Every read the plan needs (the account, the manager's account, the role's groups, licences and app roles) goes in
    // one parallel $batch: onboarding a joiner is a handful of round trips however many grants the role has.
    private async Task<(IReadOnlyList<OnboardingStep>, string?)> PlanStepsAsync(Person person, RoleDefinition role, bool issuePass, CancellationToken cancellationToken)
    {
        string accountKey = person.DirectoryObjectId ?? person.UserPrincipalName
            ?? throw new IsmsException("IsmsOps.Onboarding.NoUserPrincipalName", IsmsErrorKind.InvalidArgument,
                $"Person '{person.PersonId}' has neither a linked account nor a UserPrincipalName, so no account can be found or created. Nothing was changed.",
                $"Set one with Set-IsmsPerson -PersonId {person.PersonId} -UserPrincipalName name@yourdomain.", person.PersonId);
        Person? manager = person.ManagerId is string managerId ? await _workspace.Store.GetPersonAsync(managerId, cancellationToken).ConfigureAwait(false) : null;
        string? managerKey = manager?.DirectoryObjectId ?? manager?.UserPrincipalName;

        var reads = new GraphReadBatch();
        int account = reads.Add(GraphOperation.ReadUsers, $"/users/{Uri.EscapeDataString(accountKey)}?$select=id");
        int? managerRead = managerKey is null ? null : reads.Add(GraphOperation.ReadUsers, $"/users/{Uri.EscapeDataString(managerKey)}?$select=id");
        BirthrightAccess birthright = BirthrightAccess.Plan(role, reads);
        await reads.SendAsync(_graph, cancellationToken).ConfigureAwait(false);

        var steps = new List<OnboardingStep>();
        void Add(OnboardingStepKind kind, string? resource, string? name, bool baseline, string? detail = null) =>
            steps.Add(new OnboardingStep { Sequence = steps.Count + 1, Kind = kind, ResourceId = resource, ResourceDisplayName = name, Baseline = baseline, Detail = detail });

        string? userId = GraphReadBatch.Id(reads[account]);
        if (userId is null && person.DirectoryObjectId is string linked)
        {
            throw new IsmsException("IsmsOps.Onboarding.LinkedAccountMissing", IsmsErrorKind.NotFound,
                $"Person '{person.PersonId}' is linked to account {linked}, which the directory does not hold. Nothing was changed.",
                $"Correct or clear the link (Set-IsmsPerson -PersonId {person.PersonId} -DirectoryObjectId ...), then run Start-IsmsOnboarding again.", person.PersonId);
        }

        if (userId is not null)
        {
            Add(OnboardingStepKind.LinkAccount, userId, person.UserPrincipalName, true);
        }
        else
        {
            Add(OnboardingStepKind.CreateAccount, null, person.UserPrincipalName, true);
        }

        Add(OnboardingStepKind.SetAttributes, null, "employeeId, employeeHireDate, usageLocation", true);
        if (managerRead is int m && GraphReadBatch.Id(reads[m]) is string managerUser)
        {
            Add(OnboardingStepKind.SetManager, managerUser, manager!.PersonId, true);
        }

        var unresolved = new List<string>();
        foreach (OnboardingStep grant in birthright.Resolve(reads, steps.Count + 1, unresolved))
        {
            steps.Add(grant);
        }

        if (unresolved.Count > 0)
        {
            throw new IsmsException("IsmsOps.Onboarding.UnresolvedAccess", IsmsErrorKind.InvalidData,
                $"Role '{role.Id}' ({role.Source}) names access the directory does not hold: {string.Join("; ", unresolved)}. Nothing was changed.",
                "Correct the role file (object ids are safest) or create the missing objects, then run Start-IsmsOnboarding again.", role.Id);
        }

        if (issuePass)
        {
            Add(OnboardingStepKind.IssueTemporaryAccessPass, null, "Temporary Access Pass", true);
        }

        return (steps, userId);
    }
}

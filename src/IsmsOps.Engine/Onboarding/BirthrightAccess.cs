using System.Text.Json;
using System.Text.Json.Nodes;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Roles;

namespace IsmsOps.Engine.Onboarding;

/// <summary>
/// GET requests collected for one parallel $batch, answered as parsed bodies (null for a 404). Onboarding and movers
/// put every read a plan needs in one of these, so planning is one round trip however many grants a role has.
/// </summary>
internal sealed class GraphReadBatch
{
    private readonly List<GraphWrite> _reads = [];
    private JsonElement?[] _bodies = [];

    /// <summary>Adds a read and returns its index; a URL already added is read once.</summary>
    public int Add(GraphOperation operation, string url)
    {
        int existing = _reads.FindIndex(r => r.Url == url);
        if (existing >= 0)
        {
            return existing;
        }

        _reads.Add(new GraphWrite(operation, HttpMethod.Get, url));
        return _reads.Count - 1;
    }

    /// <summary>Sends the reads; a refusal other than 404 throws with the request and the permission it needs.</summary>
    public async Task SendAsync(GraphWriter graph, CancellationToken cancellationToken)
    {
        GraphWriteResult[] answers = _reads.Count == 0 ? [] : await graph.SendBatchAsync(_reads, cancellationToken).ConfigureAwait(false);
        _bodies = new JsonElement?[answers.Length];
        for (int i = 0; i < answers.Length; i++)
        {
            if (answers[i].Status == 404)
            {
                continue;
            }

            if (!answers[i].Succeeded || answers[i].Body is null)
            {
                throw answers[i].ToException(_reads[i]);
            }

            using JsonDocument document = JsonDocument.Parse(answers[i].Body!);
            _bodies[i] = document.RootElement.Clone();
        }
    }

    /// <summary>The parsed answer to read <paramref name="index"/>, or null when Graph had nothing there.</summary>
    public JsonElement? this[int index] => _bodies[index];

    public static string? Id(JsonElement? body) => body?.GetProperty("id").GetString();

    public static JsonElement? First(JsonElement? body) =>
        body?.GetProperty("value").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } first ? first : null;
}

/// <summary>
/// A role's birthright access (groups, licences, app roles) resolved from the catalog's names to directory ids: the
/// reads it needs go into a shared <see cref="GraphReadBatch"/>, and <see cref="Resolve"/> turns the answers into grant
/// steps. Onboarding grants these; a mover's case grants the new role's and removes the old role's.
/// </summary>
internal sealed class BirthrightAccess
{
    private readonly RoleDefinition _role;
    private readonly List<(GroupReference Group, int? Read)> _groups;
    private readonly int? _skus;
    private readonly List<(AppRoleReference AppRole, int? Read)> _appRoles;

    private BirthrightAccess(RoleDefinition role, GraphReadBatch reads)
    {
        _role = role;
        _groups = role.Groups.Select(g => (g, g.ObjectId is null
            ? reads.Add(GraphOperation.ReadGroups, $"/groups?$filter=displayName eq '{g.DisplayName!.Replace("'", "''", StringComparison.Ordinal)}'&$select=id")
            : (int?)null)).ToList();
        _skus = role.Licences.Any(l => l.SkuId is null) ? reads.Add(GraphOperation.ReadLicenses, "/subscribedSkus?$select=skuId,skuPartNumber") : null;
        _appRoles = role.AppRoles.Select(a => (a, a.ServicePrincipalId is not null && a.AppRoleId is not null ? (int?)null
            : a.ServicePrincipalId is Guid sp ? reads.Add(GraphOperation.ReadServicePrincipals, $"/servicePrincipals/{sp}?$select=id,appRoles")
            : reads.Add(GraphOperation.ReadServicePrincipals, $"/servicePrincipals?$filter=appId eq '{a.AppId}'&$select=id,appRoles"))).ToList();
    }

    /// <summary>Adds to <paramref name="reads"/> what resolving <paramref name="role"/>'s birthright access needs.</summary>
    public static BirthrightAccess Plan(RoleDefinition role, GraphReadBatch reads) => new(role, reads);

    /// <summary>
    /// The grant steps (AddGroupMember, AssignLicense, AssignAppRole; Sequence numbered from <paramref name="firstSequence"/>),
    /// with what the directory does not hold added to <paramref name="unresolved"/>.
    /// </summary>
    public List<OnboardingStep> Resolve(GraphReadBatch answers, int firstSequence, List<string> unresolved)
    {
        var steps = new List<OnboardingStep>();
        void Add(OnboardingStepKind kind, string resource, string? name, string? detail = null) =>
            steps.Add(new OnboardingStep { Sequence = firstSequence + steps.Count, Kind = kind, ResourceId = resource, ResourceDisplayName = name, Detail = detail });

        foreach ((GroupReference group, int? read) in _groups)
        {
            if ((group.ObjectId?.ToString() ?? GraphReadBatch.Id(GraphReadBatch.First(answers[read!.Value]))) is string id)
            {
                Add(OnboardingStepKind.AddGroupMember, id, group.DisplayName);
            }
            else
            {
                unresolved.Add(group.ToString());
            }
        }

        foreach (LicenceReference licence in _role.Licences)
        {
            string? id = licence.SkuId?.ToString() ?? (_skus is int k && answers[k] is JsonElement all
                && all.GetProperty("value").EnumerateArray().FirstOrDefault(s =>
                    string.Equals(s.GetProperty("skuPartNumber").GetString(), licence.SkuPartNumber, StringComparison.OrdinalIgnoreCase)) is { ValueKind: JsonValueKind.Object } sku
                ? sku.GetProperty("skuId").GetString() : null);
            if (id is null)
            {
                unresolved.Add("licence " + licence);
            }
            else
            {
                Add(OnboardingStepKind.AssignLicense, id, licence.SkuPartNumber);
            }
        }

        foreach ((AppRoleReference appRole, int? read) in _appRoles)
        {
            JsonElement? principal = read is int r ? (appRole.ServicePrincipalId is null ? GraphReadBatch.First(answers[r]) : answers[r]) : null;
            string? sp = appRole.ServicePrincipalId?.ToString() ?? GraphReadBatch.Id(principal);
            string? roleId = appRole.AppRoleId?.ToString() ?? principal?.GetProperty("appRoles").EnumerateArray()
                .Where(x => string.Equals(x.GetProperty("value").GetString(), appRole.Value, StringComparison.Ordinal))
                .Select(x => x.GetProperty("id").GetString()).FirstOrDefault();
            if (sp is null || roleId is null)
            {
                unresolved.Add(appRole.ToString());
            }
            else
            {
                Add(OnboardingStepKind.AssignAppRole, sp, appRole.App ?? appRole.Value, roleId);
            }
        }

        return steps;
    }

    /// <summary>The Graph call that makes a grant step (AddGroupMember, AssignLicense or AssignAppRole) for <paramref name="user"/>.</summary>
    public static GraphWrite GrantWrite(OnboardingStep step, string user, string baseUrl)
    {
        string u = Uri.EscapeDataString(user);
        return step.Kind switch
        {
            OnboardingStepKind.AddGroupMember => new GraphWrite(GraphOperation.AddGroupMember, HttpMethod.Post, $"/groups/{Uri.EscapeDataString(step.ResourceId!)}/members/$ref",
                new JsonObject { ["@odata.id"] = $"{baseUrl}/directoryObjects/{user}" }),
            OnboardingStepKind.AssignLicense => new GraphWrite(GraphOperation.AssignLicense, HttpMethod.Post, $"/users/{u}/assignLicense", new JsonObject
            {
                ["addLicenses"] = new JsonArray(new JsonObject { ["skuId"] = step.ResourceId, ["disabledPlans"] = new JsonArray() }),
                ["removeLicenses"] = new JsonArray(),
            }),
            OnboardingStepKind.AssignAppRole => new GraphWrite(GraphOperation.AssignAppRole, HttpMethod.Post, $"/users/{u}/appRoleAssignments", new JsonObject
            {
                ["principalId"] = user,
                ["resourceId"] = step.ResourceId,
                ["appRoleId"] = step.Detail,
            }),
            _ => throw new InvalidOperationException($"Step kind {step.Kind} is not a birthright grant."),
        };
    }

    /// <summary>
    /// The step with Graph's answer: Done (an answer saying the access already exists counts: a re-run, or a grant made
    /// by hand, is not a failure), or Failed with the reason and the permission a 403 needs.
    /// </summary>
    public static OnboardingStep Settle(OnboardingStep step, GraphWriteResult answer, GraphWrite write)
    {
        bool already = answer.Status == 400 && answer.Message is string m
            && (m.Contains("already exist", StringComparison.OrdinalIgnoreCase));
        if (answer.Succeeded || already)
        {
            return step with
            {
                Status = OnboardingStepStatus.Done,
                Attempts = step.Attempts + Math.Max(1, answer.Attempts),
                GraphRequestId = answer.RequestId,
                Reason = already ? "Already in place." : null,
                CompletedAt = DateTimeOffset.UtcNow,
            };
        }

        return step with
        {
            Status = OnboardingStepStatus.Failed,
            Attempts = step.Attempts + Math.Max(1, answer.Attempts),
            GraphRequestId = answer.RequestId,
            Reason = answer.ToException(write).Message,
        };
    }
}

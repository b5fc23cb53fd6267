using IsmsOps.Engine.Snapshots;
using Microsoft.Graph.Models.ODataErrors;

namespace IsmsOps.Engine.Graph.Collection;

/// <summary>Decides whether a Graph refusal means "this evidence is unavailable here" rather than "the run failed".</summary>
internal static class EvidenceGaps
{
    /// <summary>
    /// A licence error, or a 403, on an optional area becomes a recorded gap. Graph answers a tenant without P1 with
    /// Authentication_RequestFromNonPremiumTenantOrB2CTenant, and PIM on a tenant without P2 with a 400 or 403 whose
    /// message names the licence.
    /// </summary>
    public static EvidenceGap? From(int status, string? code, string? message, string area)
    {
        code ??= "";
        message ??= "";
        bool licence = code.Contains("NonPremium", StringComparison.OrdinalIgnoreCase)
            || code.Contains("Licen", StringComparison.OrdinalIgnoreCase)
            || message.Contains("licen", StringComparison.OrdinalIgnoreCase)
            || message.Contains("Premium", StringComparison.OrdinalIgnoreCase);
        if (licence && status is 400 or 403)
        {
            return new EvidenceGap { Area = area, Reason = EvidenceGapReason.NotLicensed, Detail = $"{code}: {message}" };
        }

        return status == 403
            ? new EvidenceGap { Area = area, Reason = EvidenceGapReason.MissingPermission, Detail = $"{code}: {message}" }
            : null;
    }

    /// <summary>The gap an error from <see cref="GraphReader"/> stands for, or null when it is a real failure.</summary>
    public static EvidenceGap? From(IsmsException error, string area) => error.InnerException switch
    {
        ODataError odata => From(odata.ResponseStatusCode, odata.Error?.Code, odata.Error?.Message ?? odata.Message, area),
        GraphBatchItemException item => From(item.Status, item.Code, item.GraphMessage, area),
        _ => null,
    };
}

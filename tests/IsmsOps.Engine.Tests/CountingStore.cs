using System.Reflection;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Storage;

namespace IsmsOps.Engine.Tests;

/// <summary>
/// A store that passes every call through to a real one and counts how often the whole audit trail is read: each time
/// an unfiltered <see cref="IIsmsStore.ReadAuditEvents"/> starts being enumerated. A read filtered by target or action
/// (an index lookup) is not counted.
/// </summary>
public class CountingStore : DispatchProxy
{
    private IIsmsStore _inner = null!;

    /// <summary>Whole-trail reads so far.</summary>
    public int WholeTrailReads { get; private set; }

    /// <summary>A counting wrapper around <paramref name="inner"/>; the same object as an <see cref="IIsmsStore"/> and a <see cref="CountingStore"/>.</summary>
    public static (IIsmsStore Store, CountingStore Counter) Wrap(IIsmsStore inner)
    {
        IIsmsStore proxy = Create<IIsmsStore, CountingStore>();
        var counter = (CountingStore)(object)proxy;
        counter._inner = inner;
        return (proxy, counter);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        object? result;
        try
        {
            result = targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }

        if (targetMethod.Name == nameof(IIsmsStore.ReadAuditEvents) && args?[0] is AuditEventQuery query
            && query.Targets.Count == 0 && query.Actions.Count == 0 && query.CorrelationId is null && query.StartTime is null && query.EndTime is null)
        {
            return Counted((IEnumerable<AuditEvent>)result!);
        }

        return result;
    }

    private IEnumerable<AuditEvent> Counted(IEnumerable<AuditEvent> events)
    {
        WholeTrailReads++;
        foreach (AuditEvent e in events)
        {
            yield return e;
        }
    }
}

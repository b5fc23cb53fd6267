using System.Collections;
using IsmsOps.Engine.Assessment.Resources;

namespace IsmsOps.Engine.Assessment;

/// <summary>
/// The findings of one control, stored compactly (resource, outcome, waiver) while the run evaluates, and turned into
/// <see cref="AssessmentFinding"/>s with their messages only when read: a run over 100,000 accounts decides every
/// outcome without writing 100,000 explanations nobody may look at. Each finding is built once and kept.
/// </summary>
internal sealed class FindingList : IReadOnlyList<AssessmentFinding>, IFindingCounts
{
    private readonly string _controlId;
    private readonly string _resourceType;
    private readonly CompiledCondition _condition;
    private readonly Entry[] _entries;
    private readonly int _count;
    private readonly AssessmentFinding?[] _built;
    private readonly int[] _counts = new int[Enum.GetValues<AssessmentOutcome>().Length];

    internal readonly record struct Entry(PolicyResource Resource, AssessmentOutcome Outcome, CompiledWaiver? Waiver, string? Error, string? Note);

    public FindingList(string controlId, string resourceType, CompiledCondition condition, Entry[] entries, int count)
    {
        _controlId = controlId;
        _resourceType = resourceType;
        _condition = condition;
        _entries = entries;
        _count = count;
        _built = new AssessmentFinding?[count];
        for (int i = 0; i < count; i++)
        {
            _counts[(int)entries[i].Outcome]++;
        }
    }

    public int Count => _count;

    public int CountOf(AssessmentOutcome outcome) => _counts[(int)outcome];

    public IEnumerable<AssessmentFinding> WithOutcome(AssessmentOutcome[] outcomes)
    {
        for (int i = 0; i < _count; i++)
        {
            if (Array.IndexOf(outcomes, _entries[i].Outcome) >= 0)
            {
                yield return this[i];
            }
        }
    }

    public AssessmentFinding this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _count);
            return _built[index] ??= Build(_entries[index]);
        }
    }

    public IEnumerator<AssessmentFinding> GetEnumerator()
    {
        for (int i = 0; i < _count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private AssessmentFinding Build(Entry entry)
    {
        string? message;
        if (entry.Error is not null)
        {
            message = entry.Error;
        }
        else
        {
            try
            {
                message = _condition.Explain(entry.Resource);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                message = $"(the explanation failed: {ex.Message})";
            }
        }

        if (entry.Note is not null)
        {
            message = message + " " + entry.Note;
        }

        return new AssessmentFinding
        {
            ControlId = _controlId,
            ResourceType = _resourceType,
            ResourceId = entry.Resource.Id,
            ResourceName = entry.Resource.Name,
            Outcome = entry.Outcome,
            OriginalOutcome = entry.Waiver is null ? null : AssessmentOutcome.Fail,
            WaiverId = entry.Waiver?.Definition.Id,
            Message = message,
            Error = entry.Error,
        };
    }
}

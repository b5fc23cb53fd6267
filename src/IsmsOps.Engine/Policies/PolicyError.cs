namespace IsmsOps.Engine.Policies;

/// <summary>
/// One problem in a policy file, at a position: what is wrong and how to fix it. <see cref="PolicyFile.ErrorAt"/>
/// raises it as an <see cref="IsmsException"/>; a reader that reports every problem at once (the role catalog)
/// gathers them in a <see cref="PolicyErrorList"/> instead of stopping at the first.
/// </summary>
/// <param name="File">The file, as given.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Message">What is wrong, without the position.</param>
/// <param name="RecommendedAction">How to fix it.</param>
public sealed record PolicyError(string File, long Line, long Column, string Message, string RecommendedAction)
{
    private const string DataKey = "IsmsOps.PolicyError";

    /// <summary><c>file:line:column</c>.</summary>
    public string Location => $"{File}:{Line}:{Column}";

    /// <summary><c>file:line:column: message</c>, the form editors and CI logs link to.</summary>
    public override string ToString() => $"{Location}: {Message}";

    /// <summary>This problem as the exception a single-error reader throws (IsmsOps.Policy.Invalid).</summary>
    public IsmsException ToException()
    {
        var exception = new IsmsException("IsmsOps.Policy.Invalid", IsmsErrorKind.InvalidData, $"{this} Nothing was changed.", RecommendedAction, Location);
        exception.Data[DataKey] = this;
        return exception;
    }

    /// <summary>The problem an exception from <see cref="ToException"/> carries, or null for any other exception.</summary>
    public static PolicyError? From(Exception exception) => exception?.Data[DataKey] as PolicyError;
}

/// <summary>
/// Gathers <see cref="PolicyError"/>s while a reader carries on past each one, so a file with three mistakes is
/// reported with three errors in one run instead of one per edit-and-retry.
/// </summary>
public sealed class PolicyErrorList
{
    private readonly List<PolicyError> _errors = [];

    /// <summary>The problems so far, in the order found.</summary>
    public IReadOnlyList<PolicyError> Errors => _errors;

    public int Count => _errors.Count;

    public void Add(PolicyError error) => _errors.Add(error);

    /// <summary>
    /// Runs <paramref name="read"/>; a policy error it throws is recorded and <paramref name="fallback"/> returned, so
    /// the caller goes on reading the next setting. Any other exception propagates.
    /// </summary>
    public T Try<T>(Func<T> read, T fallback)
    {
        ArgumentNullException.ThrowIfNull(read);
        try
        {
            return read();
        }
        catch (IsmsException ex) when (PolicyError.From(ex) is PolicyError error)
        {
            _errors.Add(error);
            return fallback;
        }
    }

    /// <summary>Runs <paramref name="read"/>, recording a policy error it throws.</summary>
    public void Try(Action read)
    {
        ArgumentNullException.ThrowIfNull(read);
        Try(() =>
        {
            read();
            return true;
        }, false);
    }
}

namespace IsmsOps.Engine;

/// <summary>What kind of failure an <see cref="IsmsException"/> is; the cmdlets map it to PowerShell's ErrorCategory.</summary>
public enum IsmsErrorKind
{
    InvalidArgument,
    InvalidData,
    NotFound,
    AlreadyExists,
    Conflict,
    PermissionDenied,
    NotSupportedVersion,
    WriteError,
    ReadError,
    SecurityError,
}

/// <summary>
/// A failure a user can act on: a stable <see cref="ErrorId"/> (for scripts to match on), a message that names what is
/// wrong and where, and a <see cref="RecommendedAction"/> that says how to fix it.
/// </summary>
public sealed class IsmsException : Exception
{
    public IsmsException(string errorId, IsmsErrorKind kind, string message, string recommendedAction, object? target = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorId = errorId;
        Kind = kind;
        RecommendedAction = recommendedAction;
        Target = target;
    }

    /// <summary>Stable identifier, for example <c>IsmsOps.Person.Duplicate</c>.</summary>
    public string ErrorId { get; }

    public IsmsErrorKind Kind { get; }

    /// <summary>How to fix it, in one sentence.</summary>
    public string RecommendedAction { get; }

    /// <summary>The object the error is about (a PersonId, a file path), if any.</summary>
    public object? Target { get; }

    /// <summary>
    /// True when the store or the audit signing key failed: such a fault fails every item of a run the same way, so a
    /// run stops on it instead of recording it against each item.
    /// </summary>
    public bool IsStoreFault =>
        ErrorId.StartsWith("IsmsOps.Store.", StringComparison.Ordinal) || ErrorId.StartsWith("IsmsOps.Audit.SigningKey", StringComparison.Ordinal);

    /// <summary>
    /// This error as it must read among a hundred others of one run: unchanged when its message already names
    /// <paramref name="subject"/>, otherwise prefixed with <paramref name="context"/> and targeted at the subject.
    /// </summary>
    public IsmsException Naming(string subject, string context) =>
        Message.Contains(subject, StringComparison.OrdinalIgnoreCase)
            ? this
            : new IsmsException(ErrorId, Kind, $"{context}: {Message}", RecommendedAction, Target ?? subject, this);
}

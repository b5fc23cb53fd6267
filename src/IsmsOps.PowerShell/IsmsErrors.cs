using System.Management.Automation;
using IsmsOps.Engine;

namespace IsmsOps.PowerShell;

/// <summary>The one place ErrorRecords are made: stable ErrorIds, the right category, the target and the fix.</summary>
internal static class IsmsErrors
{
    public static ErrorRecord From(IsmsException exception)
    {
        var record = new ErrorRecord(exception, exception.ErrorId, CategoryOf(exception.Kind), exception.Target)
        {
            ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = exception.RecommendedAction },
        };
        return record;
    }

    private static ErrorCategory CategoryOf(IsmsErrorKind kind) => kind switch
    {
        IsmsErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        IsmsErrorKind.InvalidData => ErrorCategory.InvalidData,
        IsmsErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        IsmsErrorKind.AlreadyExists => ErrorCategory.ResourceExists,
        IsmsErrorKind.Conflict => ErrorCategory.ResourceBusy,
        IsmsErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        IsmsErrorKind.NotSupportedVersion => ErrorCategory.NotImplemented,
        IsmsErrorKind.WriteError => ErrorCategory.WriteError,
        IsmsErrorKind.ReadError => ErrorCategory.ReadError,
        IsmsErrorKind.SecurityError => ErrorCategory.SecurityError,
        _ => ErrorCategory.NotSpecified,
    };
}

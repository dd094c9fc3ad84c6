namespace DocStore.Server.Security;

/// <summary>An authenticated caller: the name DocStore saw, what it may do, and until when its credentials hold.</summary>
internal sealed record Caller(string Principal, PermissionSet Permissions, DateTimeOffset? ExpiresAt)
{
    /// <summary>The caller of a server without authentication (<c>DocStore:Auth:Mode=None</c>): allowed everything.</summary>
    public static readonly Caller Anonymous = new("anonymous", PermissionSet.All, ExpiresAt: null);
}

/// <summary>The result of authenticating a call: a caller, or why there is none (for the audit trail, never for the caller).</summary>
internal readonly record struct Authentication(Caller? Caller, string? FailureReason)
{
    public static Authentication Failed(string reason) => new(null, reason);
}

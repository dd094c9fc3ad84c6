using DocStore.Server.Api;
using Google.Rpc;
using Grpc.Core;

namespace DocStore.Server.Security;

/// <summary>
/// The errors of the security layer, in the error contract's form: UNAUTHENTICATED and PERMISSION_DENIED as real gRPC
/// statuses with an ErrorInfo, never an HTTP 401 that clients would see as CANCELLED.
/// </summary>
internal static class SecurityErrors
{
    public const string UnauthenticatedReason = "UNAUTHENTICATED";
    public const string PermissionDeniedReason = "PERMISSION_DENIED";

    /// <summary>No, bad or expired credentials. The message does not say which check failed.</summary>
    public static RpcException Unauthenticated(string message) =>
        DocStoreErrors.Create(Code.Unauthenticated, message, UnauthenticatedReason, metadata: null);

    /// <summary>An authenticated caller without the permission. The message names the caller, never the rule.</summary>
    public static RpcException PermissionDenied(string principal, Requirement requirement) =>
        DocStoreErrors.Create(Code.PermissionDenied,
            $"Caller {Quote.Short(principal)} may not {requirement.Action} in collection {Quote.Short(requirement.Collection)}.",
            PermissionDeniedReason,
            new() { ["collection"] = requirement.Collection, ["action"] = requirement.Action });

    /// <summary>A call on the plaintext health port to anything but the health service.</summary>
    public static RpcException HealthPortOnly() =>
        new(new Grpc.Core.Status(StatusCode.Unimplemented, "This port serves only grpc.health.v1.Health; call the gRPC port."));
}

using Google.Rpc;
using Grpc.Core;

namespace DocStore.Server.Tests.Infrastructure;

/// <summary>Asserts on the error contract: status code, ErrorInfo reason and BadRequest fields.</summary>
public static class RpcAssert
{
    public const string Domain = "docstore.v1";

    public static async Task<Google.Rpc.Status> FailsAsync(StatusCode code, string reason, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(code == e.StatusCode, $"Expected {code} but got {e.StatusCode}: {e.Status.Detail}");
        var status = e.GetRpcStatus();
        Assert.NotNull(status);
        var info = status.GetDetail<ErrorInfo>();
        Assert.NotNull(info);
        Assert.Equal(Domain, info.Domain);
        Assert.Equal(reason, info.Reason);
        Assert.Equal((int)code, status.Code);
        Assert.False(string.IsNullOrWhiteSpace(status.Message));
        return status;
    }

    /// <summary>Expects INVALID_ARGUMENT whose BadRequest names exactly <paramref name="fields"/>.</summary>
    public static async Task<BadRequest> InvalidAsync(Func<Task> call, params string[] fields)
    {
        var status = await FailsAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", call);
        var badRequest = status.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Equal(fields.Order(StringComparer.Ordinal), badRequest.FieldViolations.Select(v => v.Field).Order(StringComparer.Ordinal));
        Assert.All(badRequest.FieldViolations, v => Assert.False(string.IsNullOrWhiteSpace(v.Description)));
        return badRequest;
    }
}

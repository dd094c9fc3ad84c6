using System.Globalization;
using Microsoft.AspNetCore.Http.Features;

namespace DocStore.Server.Operations;

/// <summary>
/// Adds the gRPC status (<c>rpc.grpc.status_code</c>) to ASP.NET Core's request metrics
/// (<c>http.server.request.duration</c>), whose HTTP status is 200 for every gRPC call, so that calls
/// are counted per method (<c>http.route</c>) and status.
/// </summary>
internal sealed class GrpcStatusMetricsTag : IStartupFilter
{
    public const string TagName = "rpc.grpc.status_code";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            await nextMiddleware(context);
            if (context.Features.Get<IHttpMetricsTagsFeature>() is { } metrics && ReadStatus(context) is { } status)
            {
                metrics.Tags.Add(new KeyValuePair<string, object?>(TagName, status));
            }
        });
        next(app);
    };

    /// <summary>The call's status: in the trailers, or in the headers of a trailers-only response.</summary>
    private static int? ReadStatus(HttpContext context)
    {
        var value = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers["grpc-status"] ?? default;
        if (value.Count == 0)
        {
            value = context.Response.Headers["grpc-status"];
        }

        return int.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var status) ? status : null;
    }
}

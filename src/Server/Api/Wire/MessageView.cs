using Google.Protobuf;

namespace DocStore.Server.Api.Wire;

/// <summary>
/// A request or reply that travels as raw bytes instead of a generated message, seen as the generated
/// message it stands for (without its document body), so that interceptors reading fields such as
/// <c>collection</c> or <c>document.etag</c> treat it like any other call.
/// </summary>
internal interface IMessageView
{
    /// <summary>The generated message this stands for, without the document body.</summary>
    IMessage View { get; }
}

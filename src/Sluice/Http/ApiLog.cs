namespace Sluice.Http;

internal static partial class ApiLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Warning, Message = "No API keys existed: created an admin key in {Path} (owner-only); use it to create narrower keys and keep it secret")]
    public static partial void BootstrapKey(ILogger logger, string path);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "API key {KeyId} ({Name}) created with scopes {Scopes}")]
    public static partial void KeyCreated(ILogger logger, string keyId, string name, string[] scopes);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "API key {KeyId} revoked")]
    public static partial void KeyRevoked(ILogger logger, string keyId);
}

namespace Sluice.Logging;

/// <summary>How a process writes its log to standard output.</summary>
public enum LogFormat
{
    /// <summary>One line per entry, for a terminal and journald.</summary>
    Text,

    /// <summary>One JSON object per line in the Elastic Common Schema, for Filebeat, Logstash or any JSON shipper.</summary>
    Ecs,
}

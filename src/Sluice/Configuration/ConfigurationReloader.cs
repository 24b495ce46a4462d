using System.Runtime.InteropServices;

namespace Sluice.Configuration;

/// <summary>
/// Re-reads the configuration when the config file changes or the process gets SIGHUP, and hands
/// it to the command's apply step (a node: the delivery policy; a balancer: its pools), which binds
/// and validates all of it and throws <see cref="ConfigurationException"/> to refuse it. A refused
/// config is logged with its reasons and the running one is kept.
/// </summary>
internal sealed class ConfigurationReloader : IHostedService, IDisposable
{
    /// <summary>Editors write a file in several steps; wait for them to finish before reading it.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);

    private readonly IConfigurationRoot _configuration;
    private readonly string? _file;
    private readonly Func<IConfigurationRoot, string> _apply;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private FileSystemWatcher? _watcher;
    private PosixSignalRegistration? _hangup;
    private ITimer? _debounce;

    /// <param name="apply">Binds, validates and installs the re-read configuration; returns what it did, for the log. Throws <see cref="ConfigurationException"/> to refuse.</param>
    public ConfigurationReloader(IConfigurationRoot configuration, string? file, Func<IConfigurationRoot, string> apply, TimeProvider time, ILogger<ConfigurationReloader> logger)
    {
        _configuration = configuration;
        _file = file is null ? null : Path.GetFullPath(file);
        _apply = apply;
        _time = time;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_file is not null)
        {
            // Made once, before any watcher event: events arrive on several threads at once.
            _debounce = _time.CreateTimer(_ => _ = ReloadAsync("file changed"), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

            // The folder is watched, not the file: editors and config managers replace files by rename.
            _watcher = new FileSystemWatcher(Path.GetDirectoryName(_file)!, Path.GetFileName(_file))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _watcher.Changed += (_, _) => Schedule();
            _watcher.Created += (_, _) => Schedule();
            _watcher.Renamed += (_, _) => Schedule();
            _watcher.EnableRaisingEvents = true;
            ReloadLog.Watching(_logger, _file);
        }

        if (!OperatingSystem.IsWindows())
        {
            _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                _ = ReloadAsync("SIGHUP");
            });
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _hangup?.Dispose();
        _debounce?.Dispose();
        _watcher = null;
        _hangup = null;
    }

    private void Schedule()
    {
        // Each event pushes the reload back: one reload after the last write.
        _debounce?.Change(Settle, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Reads and validates everything again; applies the delivery policy only if it all passes.
    /// Returns what was applied, or why the reload was refused. Never throws.
    /// </summary>
    public async Task<(string? Applied, string? Refused)> ReloadAsync(string trigger)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        string reason;
        try
        {
            if (_file is not null && !File.Exists(_file))
            {
                reason = $"{_file} does not exist";
            }
            else
            {
                _configuration.Reload();
                var applied = _apply(_configuration);
                ReloadLog.Reloaded(_logger, trigger, applied);
                return (applied, null);
            }
        }
        catch (ConfigurationException ex)
        {
            reason = ex.Message.ReplaceLineEndings(" ");
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or FormatException or UnauthorizedAccessException)
        {
            reason = ex is InvalidDataException invalid ? "not valid JSON: " + SluiceConfiguration.JsonError(invalid) : ex.InnerException?.Message ?? ex.Message;
        }
        finally
        {
            _gate.Release();
        }

        ReloadLog.Refused(_logger, trigger, reason);
        return (null, reason);
    }
}

using System.Diagnostics;
using System.Net;
using System.Text;

namespace Sluice.Testing;

/// <summary>
/// The real <c>sluice serve</c> executable on loopback ports chosen at run time, in a data folder
/// of the test's. Stopped by PID: SIGTERM for a graceful stop, SIGKILL to simulate a crash.
/// </summary>
public sealed class SluiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _readyPath;

    private SluiceProcess(Process process, string dataDirectory, int smtpPort, int httpPort, string readyPath, string smtpAddress)
    {
        _readyPath = readyPath;
        SmtpEndpoint = new IPEndPoint(IPAddress.Parse(smtpAddress), smtpPort);
        _process = process;
        DataDirectory = dataDirectory;
        SmtpPort = smtpPort;
        HttpPort = httpPort;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string DataDirectory { get; }

    public int SmtpPort { get; }

    public int HttpPort { get; }

    public IPEndPoint SmtpEndpoint { get; }

    public Uri HttpBase => new($"http://127.0.0.1:{HttpPort}/");

    /// <summary>The node's admin API key (from DATA/admin.key, made at first start); null for a sink or balancer.</summary>
    public string? ApiKey
    {
        get
        {
            var file = Path.Combine(DataDirectory, "admin.key");
            return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
        }
    }

    /// <summary>An HTTP client for this process's HTTP address, sending <paramref name="key"/>, else the node's admin API key when there is one (a cluster node that found keys made none).</summary>
    public HttpClient CreateHttpClient(string? key = null)
    {
        var http = new HttpClient { BaseAddress = HttpBase };
        if ((key ?? ApiKey) is { } token)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    private bool _disposed;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts a node and waits until /readyz answers 200. Unless <paramref name="delivery"/> is set the
    /// node only queues: a test must never send DNS queries or mail anywhere but its own loopback peers.
    /// </summary>
    /// <param name="listenersFromConfig">The configuration names the listeners (one on <paramref name="smtpPort"/>, which is then required): no --smtp.</param>
    /// <param name="waitForReady">False: wait only until it is alive (/healthz), for a node that is meant not to be ready yet.</param>
    /// <param name="workingDirectory">The node's working directory; the test process's own when null.</param>
    public static Task<SluiceProcess> StartAsync(string dataDirectory, IReadOnlyList<string>? extraArgs = null, IDictionary<string, string>? environment = null, int? smtpPort = null, int? httpPort = null, bool delivery = false, bool listenersFromConfig = false, bool waitForReady = true, string? workingDirectory = null)
    {
        var smtp = smtpPort ?? FreePort.Next();
        var http = httpPort ?? FreePort.Next();
        var args = new List<string> { "serve", "--data", dataDirectory, "--http", $"127.0.0.1:{http}" };
        if (!listenersFromConfig)
        {
            args.AddRange(["--smtp", $"127.0.0.1:{smtp}"]);
        }

        if (!delivery)
        {
            args.Add("--no-delivery");
        }

        args.AddRange(extraArgs ?? []);
        return LaunchAsync(args, environment, dataDirectory, smtp, http, waitForReady ? "readyz" : "healthz", smtpChosen: smtpPort is null, workingDirectory: workingDirectory);
    }

    /// <summary>Starts <c>sluice sink</c> on 127.0.0.1 (or <paramref name="address"/>) and waits until /healthz answers.</summary>
    public static Task<SluiceProcess> StartSinkAsync(string storeDirectory, IReadOnlyList<string>? extraArgs = null, string address = "127.0.0.1", int? port = null)
    {
        var smtp = port ?? FreePort.Next(System.Net.IPAddress.Parse(address));
        var http = FreePort.Next();
        var args = new List<string> { "sink", "--listen", $"{address}:{smtp}", "--http", $"127.0.0.1:{http}", "--store", storeDirectory };
        args.AddRange(extraArgs ?? []);
        return LaunchAsync(args, null, storeDirectory, smtp, http, "healthz", smtpChosen: port is null, address);
    }

    /// <summary>Starts <c>sluice balance</c> listening on 127.0.0.1 (port chosen here) and waits until /healthz answers.</summary>
    public static Task<SluiceProcess> StartBalancerAsync(string workDirectory, IReadOnlyList<string> extraArgs)
    {
        var listen = FreePort.Next();
        var http = FreePort.Next();
        var args = new List<string> { "balance", "--listen", $"127.0.0.1:{listen}", "--http", $"127.0.0.1:{http}" };
        args.AddRange(extraArgs);
        return LaunchAsync(args, null, workDirectory, listen, http, "healthz", smtpChosen: true);
    }

    private static async Task<SluiceProcess> LaunchAsync(List<string> args, IDictionary<string, string>? environment, string dataDirectory, int smtp, int http, string readyPath, bool smtpChosen, string smtpAddress = "127.0.0.1", string? workingDirectory = null)
    {
        // Another test may bind a port between our choice and the process's bind: choose again and retry.
        for (var attempt = 1; ; attempt++)
        {
            var node = new SluiceProcess(Start(args, environment, workingDirectory), dataDirectory, smtp, http, readyPath, smtpAddress);
            try
            {
                await node.WaitReadyAsync(TimeSpan.FromSeconds(60));
                return node;
            }
            catch (InvalidOperationException ex) when (attempt < 5 && ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await node.DisposeAsync();
                var newHttp = FreePort.Next();
                args = [.. args.Select(a => a == $"127.0.0.1:{http}" ? $"127.0.0.1:{newHttp}" : a)];

                // A setting that names the node's own HTTP address (a public base URL) follows it.
                environment = environment?.ToDictionary(e => e.Key, e => e.Value.Replace($"127.0.0.1:{http}", $"127.0.0.1:{newHttp}", StringComparison.Ordinal));
                http = newHttp;
                if (smtpChosen)
                {
                    var newSmtp = FreePort.Next(IPAddress.Parse(smtpAddress));
                    args = [.. args.Select(a => a == $"{smtpAddress}:{smtp}" ? $"{smtpAddress}:{newSmtp}" : a)];
                    smtp = newSmtp;
                }
            }
        }
    }

    /// <summary>Runs the executable to completion (for commands such as passwd or a failing serve).</summary>
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(IReadOnlyList<string> args, string? stdin = null, IDictionary<string, string>? environment = null)
    {
        using var process = Start(args, environment);
        if (stdin is not null)
        {
            await process.StandardInput.WriteLineAsync(stdin);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"sluice exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(HttpBase, _readyPath));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow start on a loaded machine; try again until the deadline.
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"sluice did not become ready:\n{Output}");
    }

    /// <summary>The counters of a running <c>sluice sink</c> (GET /stats).</summary>
    public async Task<System.Text.Json.JsonElement> SinkStatsAsync()
    {
        using var http = CreateHttpClient();
        return System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri("stats", UriKind.Relative))).RootElement.Clone();
    }

    /// <summary>SIGKILL: no chance to flush or clean up, like a power cut for the process.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM and wait for exit; returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        Posix.Signal(_process.Id, Posix.SigTerm);
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private static Process Start(IReadOnlyList<string> args, IDictionary<string, string>? environment, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory ?? string.Empty,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(RepositoryPaths.SluiceDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}

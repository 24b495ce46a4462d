using Sluice.Testing;

namespace Sluice.Integration.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public async Task Serve_InvalidConfigFile_StopsNamingKeyAndReason()
    {
        using var dir = new TempDirectory();
        var config = Path.Combine(dir.Path, "sluice.json");
        await File.WriteAllTextAsync(config, """{ "Smtp": { "Listeners": [ { "Address": "not-an-endpoint", "TrustedNetworks": [ "10.0.0.0/99" ] } ] } }""");

        var (code, _, stderr) = await SluiceProcess.RunAsync(["serve", "--config", config, "--data", dir.Path, "--http", "127.0.0.1:0"]);

        Assert.Equal(2, code);
        Assert.Contains("Smtp:Listeners:0:Address: 'not-an-endpoint' is not ADDRESS:PORT", stderr, StringComparison.Ordinal);
        Assert.Contains("Smtp:Listeners:0:TrustedNetworks:0: '10.0.0.0/99' is not a CIDR network", stderr, StringComparison.Ordinal);
    }

    /// <summary>Each component validates its own section; a start-up reports every component's errors together.</summary>
    [Fact]
    public async Task Serve_ErrorsInEveryComponent_AllReportedAtOnce()
    {
        var stderr = await ServeRefusedAsync("""
            { "Http": { "RequestsPerSecond": 0 },
              "Smtp": { "Auth": { "MaxFailures": 0 } },
              "Spool": { "MaxBatchSize": 0 },
              "Delivery": { "Retry": { "Jitter": 2 }, "Shaping": { "Default": { "MaxConnections": 0 } } } }
            """);

        Assert.Contains("Http:RequestsPerSecond: must be at least 1", stderr, StringComparison.Ordinal);
        Assert.Contains("Smtp:Auth:MaxFailures: must be at least 1", stderr, StringComparison.Ordinal);
        Assert.Contains("Spool:MaxBatchSize: must be at least 1", stderr, StringComparison.Ordinal);
        Assert.Contains("Delivery:Retry:Jitter: a fraction from 0 to below 1", stderr, StringComparison.Ordinal);
        Assert.Contains("Delivery:Shaping:Default:MaxConnections: must be at least 1", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_TlsFilesThatAreNotPem_StopsInOneLineNamingThem()
    {
        using var dir = new TempDirectory();
        var cert = Path.Combine(dir.Path, "cert.pem");
        var key = Path.Combine(dir.Path, "key.pem");
        await File.WriteAllTextAsync(cert, "not a certificate\n");
        await File.WriteAllTextAsync(key, "not a key\n");

        var stderr = await ServeRefusedAsync($$"""{ "Smtp": { "Tls": { "CertificateFile": "{{cert}}", "KeyFile": "{{key}}" } } }""");

        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("Smtp:Tls", StringComparison.Ordinal));
        Assert.Contains($"'{cert}' and '{key}' are not a PEM certificate and its private key", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_InvalidEnvironmentOverride_StopsNamingKey()
    {
        using var dir = new TempDirectory();

        var (code, _, stderr) = await SluiceProcess.RunAsync(
            ["serve", "--data", dir.Path, "--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0"],
            environment: new Dictionary<string, string> { ["SLUICE__Smtp__Listeners__0__Limits__MaxRecipients"] = "5" });

        Assert.Equal(2, code);
        Assert.Contains("Smtp:Listeners:0:Limits:MaxRecipients: must be at least 100", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_UnconvertibleValue_StopsNamingKey()
    {
        using var dir = new TempDirectory();

        var (code, _, stderr) = await SluiceProcess.RunAsync(
            ["serve", "--data", dir.Path, "--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0"],
            environment: new Dictionary<string, string> { ["SLUICE__Smtp__Listeners__0__Role"] = "openrelay" });

        Assert.Equal(2, code);
        Assert.Contains("Smtp:Listeners:0:Role", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_UnknownKeys_StopsNamingEachWithASuggestion()
    {
        var stderr = await ServeRefusedAsync("""{ "Smtp": { "Hostnme": "x" }, "Delivry": { "Enabled": false } }""");

        Assert.Contains("Smtp:Hostnme: unknown key (did you mean 'Hostname'?)", stderr, StringComparison.Ordinal);
        Assert.Contains("Delivry: unknown key (did you mean 'Delivery'?)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Balance_UnknownKey_StopsNamingItWithASuggestion()
    {
        using var dir = new TempDirectory();
        var config = Path.Combine(dir.Path, "balance.json");
        await File.WriteAllTextAsync(config, """{ "Balance": { "Pools": [ { "Name": "p", "Policy": "RoundRobin", "Members": [ { "Name": "a", "Address": "127.0.0.1:2525", "Wieght": 2 } ] } ] } }""");

        var (code, _, stderr) = await SluiceProcess.RunAsync(["balance", "--config", config, "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0"]);

        Assert.Equal(2, code);
        Assert.Contains("Balance:Pools:0:Members:0:Wieght: unknown key (did you mean 'Weight'?)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Balance_NegativeSocketThreads_StopsNamingTheKey()
    {
        var (code, _, stderr) = await SluiceProcess.RunAsync(["balance", "--node", "127.0.0.1:2525", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0"], environment: new Dictionary<string, string> { ["SLUICE__Balance__SocketThreads"] = "-1" });

        Assert.Equal(2, code);
        Assert.Contains("Balance:SocketThreads: -1 is not between 0 (one per core) and 1024", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_MetricsNetworkNotACidr_StopsNamingTheKey()
    {
        var stderr = await ServeRefusedAsync("""{ "Http": { "MetricsNetworks": [ "127.0.0.0/8", "prometheus.internal" ] } }""");

        Assert.Contains("Http:MetricsNetworks:1: 'prometheus.internal' is not a CIDR network", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_UnknownLogFormat_StopsNamingTheKey()
    {
        var stderr = await ServeRefusedAsync("""{ "Logging": { "Format": "Xml" } }""");

        Assert.Contains("Logging:Format", stderr, StringComparison.Ordinal);
        Assert.Contains("Xml", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_SyslogAddressWithoutScheme_StopsNamingTheKey()
    {
        var stderr = await ServeRefusedAsync("""{ "Logging": { "Syslog": { "Address": "syslog.example:514" } } }""");

        Assert.Contains("Logging:Syslog:Address: 'syslog.example:514' is not udp://HOST:PORT or tcp://HOST:PORT", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_AmqpUriNotAmqp_StopsNamingTheKeyWithoutEchoingIt()
    {
        var stderr = await ServeRefusedAsync("""{ "Logging": { "Amqp": { "Uri": "http://user:secret@broker:5672/" } } }""");

        Assert.Contains("Logging:Amqp:Uri: not an amqp:// or amqps:// URI", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_ListGivenAsObject_StopsInsteadOfFallingBackToTheDefault()
    {
        var stderr = await ServeRefusedAsync("""{ "Smtp": { "Listeners": { "Name": "a" } } }""");

        Assert.Contains("Smtp:Listeners: expected a list ([ … ]), found an object (key 'Name')", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_SeveralTypeErrors_AllReportedInPlainTerms()
    {
        var stderr = await ServeRefusedAsync("""{ "Smtp": { "Listeners": [ { "Role": "Relai", "Limits": { "MaxConnections": "many", "LimitTrustedClients": "yes" } } ] }, "Spool": { "MaxBatchSize": 1.5 } }""");

        Assert.Contains("Smtp:Listeners:0:Role: 'Relai' is not one of Submission, Relay, Inbound, Feedback", stderr, StringComparison.Ordinal);
        Assert.Contains("Smtp:Listeners:0:Limits:MaxConnections: 'many' is not a whole number", stderr, StringComparison.Ordinal);
        Assert.Contains("Smtp:Listeners:0:Limits:LimitTrustedClients: 'yes' is not true or false", stderr, StringComparison.Ordinal);
        Assert.Contains("Spool:MaxBatchSize: '1.5' is not a whole number", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Sluice.Server.Configuration", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_JsonSyntaxError_SaysLineAndColumn()
    {
        var stderr = await ServeRefusedAsync("{\n  \"Smtp\": {\n    \"Hostname\": \"x\",,\n  }\n}");

        Assert.Contains("is not valid JSON: line 3, column ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_DurationsWrittenAsTheReadmeDoes_AreAccepted()
    {
        using var dir = new TempDirectory();
        var config = Path.Combine(dir.Path, "sluice.json");
        await File.WriteAllTextAsync(config, """{ "Delivery": { "Retry": { "Intervals": [ "1m", "5m", "15m", "2h" ], "MaxAge": "5d" }, "Shaping": { "Default": { "IdleTimeout": "30s", "CommandTimeout": "00:05:00" } } }, "Smtp": { "Listeners": [ { "Limits": { "StressTimeout": "1500ms" } } ] } }""");
        await using var node = await SluiceProcess.StartAsync(Path.Combine(dir.Path, "data"), ["--config", config]);

        Assert.False(node.HasExited);
    }

    [Fact]
    public async Task Serve_BadDuration_NamesTheFormsAccepted()
    {
        var stderr = await ServeRefusedAsync("""{ "Delivery": { "Retry": { "Intervals": [ "1m", "soonish" ] } } }""");

        Assert.Contains("Delivery:Retry:Intervals:1: 'soonish' is not a duration (500ms, 30s, 5m, 2h, 1d, or hh:mm:ss)", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "Delivery": { "Shaping": { "Domains": { "gmail.com": { "MaxConnections": "lots" } } } } }""", "Delivery:Shaping:Domains:gmail.com:MaxConnections")]
    [InlineData("""{ "Delivery": { "Shaping": { "Default": { "Sources": { "ip1": { "IdleTimeout": "soon" } } } } } }""", "Delivery:Shaping:Default:Sources:ip1:IdleTimeout")]
    [InlineData("""{ "Delivery": { "Routes": [ { "Domain": "a.test", "Tls": "Requierd" } ] } }""", "Delivery:Routes:0:Tls")]
    [InlineData("""{ "Delivery": { "Retry": { "Intervals": [ "00:01:00", "soon" ] } } }""", "Delivery:Retry:Intervals:1")]
    [InlineData("""{ "Delivery": { "Egress": { "Sources": [ { "Name": "new", "Address": "127.0.0.1", "WarmUp": { "Start": "next monday", "Schedule": [ 50 ] } } ] } } }""", "Delivery:Egress:Sources:0:WarmUp:Start: 'next monday' is not a date (yyyy-mm-dd)")]
    [InlineData("""{ "Reputation": { "Brakes": [ { "Scope": "Tag", "MaxBounceRate": 5 } ] } }""", "Reputation:Brakes:0:MaxBounceRate: a share between 0 and 1")]
    [InlineData("""{ "Delivery": { "Shaping": { "Default": { "Sources": { "nope": { } } } } } }""", "Delivery:Shaping:Default:Sources:nope: no egress source named 'nope'")]
    public async Task Serve_BadDictionaryOrListEntry_StopsNamingKeyInsteadOfDroppingIt(string json, string key)
    {
        // The configuration binder silently skips a list element or dictionary entry it cannot convert.
        using var dir = new TempDirectory();
        var config = Path.Combine(dir.Path, "sluice.json");
        await File.WriteAllTextAsync(config, json);

        var (code, _, stderr) = await SluiceProcess.RunAsync(["serve", "--config", config, "--data", dir.Path, "--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0"]);

        Assert.Equal(2, code);
        Assert.Contains(key, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_SmtpPortHeldByAnotherNode_StopsInOneLineNamingTheAddress()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        await using var node = await SluiceProcess.StartAsync(first.Path);

        var (code, stdout, stderr) = await SluiceProcess.RunAsync(["serve", "--data", second.Path, "--smtp", $"127.0.0.1:{node.SmtpPort}", "--http", "127.0.0.1:0", "--no-delivery"]);

        Assert.Equal(2, code);
        Assert.Equal($"sluice: cannot start: cannot listen on 127.0.0.1:{node.SmtpPort}: address already in use (another process listens there)", stderr.Trim());
        Assert.DoesNotContain("listening on", stdout, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Exception", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_HttpPortHeld_StopsInOneLineNamingTheAddress()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        await using var node = await SluiceProcess.StartAsync(first.Path);

        var (code, stdout, stderr) = await SluiceProcess.RunAsync(["serve", "--data", second.Path, "--smtp", "127.0.0.1:0", "--http", $"127.0.0.1:{node.HttpPort}", "--no-delivery"]);

        Assert.Equal(2, code);
        Assert.DoesNotContain("Exception", stdout + stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.StartsWith("sluice: cannot start: ", stderr, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{node.HttpPort}", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_DataFolderIsAFileOrInUse_StopsInOneLine()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "not-a-folder");
        await File.WriteAllTextAsync(file, "x");
        await using var node = await SluiceProcess.StartAsync(Path.Combine(dir.Path, "busy"));

        var asFile = await SluiceProcess.RunAsync(["serve", "--data", file, "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--no-delivery"]);
        var inUse = await SluiceProcess.RunAsync(["serve", "--data", Path.Combine(dir.Path, "busy"), "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--no-delivery"]);

        Assert.Equal(2, asFile.ExitCode);
        Assert.StartsWith("sluice: cannot start: ", asFile.StdErr, StringComparison.Ordinal);
        Assert.Single(asFile.StdErr.Trim().Split('\n'));
        Assert.Equal(2, inUse.ExitCode);
        Assert.Contains("in use by another Sluice process", inUse.StdErr, StringComparison.Ordinal);
        Assert.Single(inUse.StdErr.Trim().Split('\n'));
    }

    [Fact]
    public async Task Serve_DataFolderNotWritable_StopsInOneLineNamingIt()
    {
        // Root may write anywhere, so "not writable" is a read-only filesystem here.
        using var mount = TmpfsMount.Create(1024 * 1024, readOnly: true);
        var data = Path.Combine(mount.Path, "data");

        var (code, _, stderr) = await SluiceProcess.RunAsync(["serve", "--data", data, "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--no-delivery"]);

        Assert.Equal(2, code);
        Assert.StartsWith("sluice: cannot start: ", stderr, StringComparison.Ordinal);
        Assert.Contains(data, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task Serve_MissingConfigFile_StopsWithReason()
    {
        var (code, _, stderr) = await SluiceProcess.RunAsync(["serve", "--config", "/nonexistent/sluice.json"]);

        Assert.Equal(2, code);
        Assert.Contains("--config: file '/nonexistent/sluice.json' does not exist", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Passwd_FromStdin_PrintsVerifiableHash()
    {
        var (code, stdout, _) = await SluiceProcess.RunAsync(["passwd"], stdin: "s3cret pass");

        Assert.Equal(0, code);
        var hash = stdout.Trim();
        Assert.StartsWith("pbkdf2-sha256$600000$", hash, StringComparison.Ordinal);
        Assert.True(Server.Auth.PasswordHasher.Verify("s3cret pass", hash));
        Assert.False(Server.Auth.PasswordHasher.Verify("s3cret pasS", hash));
    }

    [Fact]
    public async Task Serve_Sigterm_Answers421ToIdleSessionAndExitsZero()
    {
        using var dir = new TempDirectory();
        await using var node = await SluiceProcess.StartAsync(dir.Path);
        await using var idle = await SmtpDialog.ConnectAsync(node.SmtpEndpoint);
        await idle.CommandAsync("EHLO idle.example");

        var exit = node.TerminateAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("421 4.3.2 Service shutting down, try again later", await idle.ReadReplyAsync());
        Assert.Equal(0, await exit);
    }

    [Fact]
    public async Task Serve_BadClusterSection_StopsNamingEachKey()
    {
        var stderr = await ServeRefusedAsync("""
            { "Cluster": {
                "Postgres": { "ConnectionString": "Host=db;Bogus=1" },
                "RabbitMq": { "Uris": [ "http://broker:5672/" ], "Shards": 0 },
                "Redis": { "Configuration": "password=x", "LeaseTtl": "00:00:01" } } }
            """);

        Assert.Contains("Cluster:Postgres:ConnectionString: not a PostgreSQL connection string", stderr, StringComparison.Ordinal);
        Assert.Contains("Cluster:RabbitMq:Uris:0: 'http://broker:5672/' is not an amqp:// or amqps:// URI with a host", stderr, StringComparison.Ordinal);
        Assert.Contains("Cluster:RabbitMq:Shards: must be between 1 and 64", stderr, StringComparison.Ordinal);
        Assert.Contains("Cluster:Redis:Configuration: no host:port given", stderr, StringComparison.Ordinal);
        Assert.Contains("Cluster:Redis:LeaseTtl: must be at least 3 seconds", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_ClusterDatabaseUnreachable_StopsWithOneLineAfterItsTimeout()
    {
        var stderr = await ServeRefusedAsync($$"""
            { "Cluster": { "Postgres": { "ConnectionString": "Host=127.0.0.1;Port={{FreePort.Next()}};Username=sluice;Timeout=1", "StartTimeout": "2s" } } }
            """);

        Assert.Contains("Cluster:Postgres: cannot reach the database within 2 s", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    private static async Task<string> ServeRefusedAsync(string json)
    {
        using var dir = new TempDirectory();
        var config = Path.Combine(dir.Path, "sluice.json");
        await File.WriteAllTextAsync(config, json);

        var (code, _, stderr) = await SluiceProcess.RunAsync(["serve", "--config", config, "--data", dir.Path, "--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0"]);

        Assert.Equal(2, code);
        return stderr;
    }
}

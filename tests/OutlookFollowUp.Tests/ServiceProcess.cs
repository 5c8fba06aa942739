using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace OutlookFollowUp.Tests;

/// <summary>
/// The built service as its own operating-system process (`dotnet OutlookFollowUp.Api.dll`), as an operator runs it:
/// settings through environment variables, the address it listens on read from its log, and a real SIGKILL.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServiceProcess(string name, IReadOnlyDictionary<string, string> settings, string? workingDirectory, int port)
    {
        Name = name;
        var start = new ProcessStartInfo("dotnet", [Dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            Environment = { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["DOTNET_ENVIRONMENT"] = "Development", ["Logging__Console__FormatterName"] = "simple" },
        };
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Line(e.Data);
        _process.ErrorDataReceived += (_, e) => Line(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>
    /// The service to run: the build's (default) or, with <c>OFU_SERVICE</c> naming a published OutlookFollowUp.Api.dll,
    /// that one (the benchmarks compare a ReadyToRun publish with the JIT's build).
    /// </summary>
    public static string Dll => Environment.GetEnvironmentVariable("OFU_SERVICE") is { Length: > 0 } published ? published : typeof(Program).Assembly.Location;

    public string Name { get; }
    public string BaseUrl => _listening.Task.Result;
    public int Id => _process.Id;

    /// <summary>Everything the process logged so far.</summary>
    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>Starts the service and waits until it answers /healthz.</summary>
    /// <param name="port">The port to listen on; 0: any free one (read from the log).</param>
    public static async Task<ServiceProcess> StartAsync(string name, IReadOnlyDictionary<string, string> settings, string? workingDirectory = null, int port = 0)
    {
        var service = new ServiceProcess(name, settings, workingDirectory, port);
        var exited = service._process.WaitForExitAsync();
        var first = await Task.WhenAny(service._listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != service._listening.Task)
            throw new InvalidOperationException($"{name} did not start listening:\n{service.Log}");
        using var http = new HttpClient { BaseAddress = new Uri(service.BaseUrl) };
        for (var i = 0; i < 100; i++)
        {
            if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return service;
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"{name} never became healthy:\n{service.Log}");
    }

    /// <summary>SIGKILL: no shutdown, no lease released, requests cut wherever they are.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public bool HasExited => _process.HasExited;

    private void Line(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
        if (Listening().Match(line) is { Success: true } m) _listening.TrySetResult(m.Groups[1].Value);
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

using System.Diagnostics;

namespace OutlookFollowUp.Benchmarks;

/// <summary>
/// The PostgreSQL the two-instance figure needs: OFU_POSTGRES when set (tests/run.sh sets it), otherwise a throwaway
/// server started here with Debian's binaries, the recipe of ../shared/STACK.md, and removed at the end.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private readonly string? _dir;
    private readonly string? _bin;

    private LocalPostgres(string? dir, string? bin)
    {
        _dir = dir;
        _bin = bin;
    }

    public static async Task<LocalPostgres> EnsureAsync(List<string> notes)
    {
        if (Environment.GetEnvironmentVariable("OFU_POSTGRES") is { Length: > 0 }) return new LocalPostgres(null, null);
        var bin = Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Order().LastOrDefault(d => File.Exists(Path.Combine(d, "initdb"))) : null;
        if (bin is null)
        {
            notes.Add("PostgreSQL is not installed: figure 4 is left out (apt-get install postgresql).");
            return new LocalPostgres(null, null);
        }
        var dir = Directory.CreateTempSubdirectory("ofu-bench-pg-").FullName;
        var port = Random.Shared.Next(20000, 40000);
        var root = Environment.UserName == "root";
        if (root) await RunAsync("chown", "postgres", dir);
        await RunAsync(root, Path.Combine(bin, "initdb"), "-D", Path.Combine(dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale");
        await RunAsync(root, Path.Combine(bin, "pg_ctl"), "-D", Path.Combine(dir, "data"), "-l", Path.Combine(dir, "log"), "-w", "-o",
            $"-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300", "start");
        Environment.SetEnvironmentVariable("OFU_POSTGRES", $"Host=127.0.0.1;Port={port};Username=postgres");
        return new LocalPostgres(dir, bin);
    }

    private static Task RunAsync(bool asPostgres, string file, params string[] args) =>
        asPostgres ? RunAsync("runuser", ["-u", "postgres", "--", file, .. args]) : RunAsync(file, args);

    private static async Task RunAsync(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var err = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} failed: {await err}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_dir is null || _bin is null) return;
        await RunAsync(Environment.UserName == "root", Path.Combine(_bin, "pg_ctl"), "-D", Path.Combine(_dir, "data"), "-m", "immediate", "stop");
        Directory.Delete(_dir, recursive: true);
    }
}

using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/AzNf.Benchmarks -- --filter '*'   (see docs/PERFORMANCE.md)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

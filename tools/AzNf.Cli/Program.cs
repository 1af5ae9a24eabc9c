return AzNf.Cli.AznfApp.Run(args);

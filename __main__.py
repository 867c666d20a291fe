import pulumi
import pulumi_random as random
import stack_config

cfg = stack_config.load()
pw = random.RandomPassword("pw", length=16)
rid = random.RandomId("rid", byte_length=4)
pulumi.export("pw", pw.result)
pulumi.export("rid", rid.hex)
pulumi.export("env", cfg.environment)

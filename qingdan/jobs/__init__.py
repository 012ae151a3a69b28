"""The worker: `qingdan worker` runs the periodic jobs every app declares in its `jobs`
module (`qingdan.core.jobs`). The top layer: it imports the apps' job modules by
discovery, never an app by name."""

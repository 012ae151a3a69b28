"""Reading work-order sheets: files (sources), column mapping, cell values, and the
row validation and batching engine. Nothing here writes; the engine hands
validated batches to `qingdan.intake.actions.imports.register_work_orders`."""

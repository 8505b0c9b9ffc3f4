"""网站安全事件: the emergency plan's intake and its steps (Z1, policy §9: 应急预案、应急处置)."""

/** What the engine's parts see of the facade (engine.ts): its actions and its events. Types only. */
import type { EventEmitter } from 'node:events';
import type { EngineEventMap } from './events.js';
import type { HistoryRange, HistoryResult } from './monitor/types.js';
import type { TargetStatus } from './task.js';
import type { EngineApi } from './types.js';

export type EngineFacade = EngineApi &
  EventEmitter<EngineEventMap> & {
    isPaused(): boolean;
    targetStatus(): Promise<TargetStatus[]>;
    history(range: HistoryRange): HistoryResult;
    describeDefaultTarget(): Promise<string>;
  };

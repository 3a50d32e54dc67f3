import { describe, expect, it } from 'vitest';
import { describeError, ERROR_CODES, isErrorCode } from '../../../src/domain/error-text.js';
import { AppError, errorCodeOf } from '../../../src/shared/errors.js';

describe('describeError', () => {
  it('has a sentence in each language for every code, and the French one is not the English one', () => {
    expect(ERROR_CODES.length).toBeGreaterThanOrEqual(20);
    for (const code of ERROR_CODES) {
      const en = describeError({ code }, 'en');
      const fr = describeError({ code }, 'fr');
      expect(en, code).toMatch(/^[A-Z].*\.$/);
      expect(fr, code).toMatch(/^[A-ZÉ].*\.$/);
      expect(fr, code).not.toBe(en);
    }
  });

  it("uses an AppError's params in either language", () => {
    const error = new AppError('timed_out', 'Timed out after 90 s.', undefined, { params: { seconds: 90 } });
    expect(describeError(error, 'en')).toBe('It ran past its 90 s timeout and was stopped.');
    expect(describeError(error, 'fr')).toBe('Elle a dépassé son délai de 90 s et a été arrêtée.');
    expect(describeError({ code: 'worker_lost', params: { worker: 'replica-b' } }, 'fr')).toBe(
      'Le réplica qui l’exécutait (replica-b) ne répond plus.'.replace('’', "'"),
    );
  });

  it('shows an unexpected error, or an unknown stored code, as the generic failure', () => {
    expect(describeError(new Error('ECONNRESET'), 'fr')).toBe('La tâche a échoué.');
    expect(describeError({ code: 'no_such_code' }, 'en')).toBe('The task failed.');
    expect(isErrorCode('constructor')).toBe(false);
    expect(errorCodeOf(new Error('x'))).toBe('executor_failed');
    expect(errorCodeOf(new AppError('cancelled', 'x'))).toBe('cancelled');
  });
});

import { useTranslation } from 'react-i18next';
import type { TeamMembership } from './api.js';

/**
 * Switches the portal between the personal space and a team the person is a member of (shown in the top bar
 * when they are in any team). In a team every page shows the team's resources.
 */
export function TeamSwitch(props: { teams: readonly TeamMembership[]; current: string; onSwitch: (teamId: string) => void }) {
  const { t } = useTranslation();
  return (
    <label className="team-switch">
      <span className="visually-hidden">{t('team.space')}</span>
      <select value={props.current} aria-label={t('team.space')} onChange={(e) => props.onSwitch(e.target.value)}>
        <option value="">{t('team.personal')}</option>
        {props.teams
          .filter((m) => m.status === 1)
          .map((m) => (
            <option key={m.team_id} value={m.team_id}>
              {t('team.option', { name: m.name, id: m.team_id })}
            </option>
          ))}
      </select>
    </label>
  );
}
